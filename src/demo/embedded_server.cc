#include "demo/embedded_server.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>

namespace sluice::demo {

Result<std::unique_ptr<EmbeddedServer>> EmbeddedServer::Start(const std::string& data_dir,
                                                              const std::vector<std::string>& extra_args) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return Status::Internal("cannot find this program's path");
  self[n] = '\0';
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  std::string log_path = (std::filesystem::path(data_dir) / "serve.log").string();

  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::Internal("pipe failed");
  std::vector<std::string> args = {
      self, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir, "--stream-transition-ms", "0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_t pid = ::fork();
  if (pid < 0) return Status::Internal("fork failed");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::setpgid(0, 0);  // our Ctrl-C is handled by the parent, which stops us
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(self, argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const std::string marker = "listening on ";
  while (got.find('\n', got.find(marker)) == std::string::npos || got.find(marker) == std::string::npos) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    pollfd p{out[0], POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, left) <= 0) break;
    char buf[512];
    ssize_t r = ::read(out[0], buf, sizeof buf);
    if (r <= 0) break;
    got.append(buf, static_cast<size_t>(r));
  }
  ::close(out[0]);
  size_t at = got.find(marker);
  if (at == std::string::npos || got.find('\n', at) == std::string::npos) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return Status::Unavailable("the embedded server did not start (see " + log_path + ")");
  }
  std::string endpoint = got.substr(at + marker.size(), got.find('\n', at) - at - marker.size());
  return std::unique_ptr<EmbeddedServer>(new EmbeddedServer(pid, endpoint, data_dir));
}

EmbeddedServer::~EmbeddedServer() {
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    ::usleep(50'000);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace sluice::demo
