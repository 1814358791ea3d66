// LD_PRELOAD shim that makes storage faults real for tests, without root.
//
// Environment:
//   SLUICE_FAULT_DIR      only files whose path starts with this prefix are affected
//   SLUICE_FAULT_CONTROL  a file whose content selects the fault (re-read when its
//                         mtime or size changes, so a test can flip it while the
//                         server runs):
//     ""           no fault
//     "enospc"     write/pwrite/writev/pwritev(2)/fallocate fail with ENOSPC
//     "eio-write"  the same calls fail with EIO
//     "eio-fsync"  fsync/fdatasync/sync_file_range fail with EIO
//     "enospc-all" both: writes fail with ENOSPC, syncs with ENOSPC
// A failing call does nothing (no partial write) and sets errno. Every fault
// injected is counted in the control file's sibling "<control>.hits" (one
// line per hit: "<call> <path>"), so tests can check the shim really fired.
//
// The affected path of a descriptor is found through /proc/self/fd. Reads,
// opens and shrinking truncates are never failed: they keep working on a full
// disk too.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

enum Mode { kNone = 0, kWriteEnospc, kWriteEio, kSyncEio, kAllEnospc };

pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
struct timespec g_mtime = {0, 0};
off_t g_size = -1;
Mode g_mode = kNone;

const char* Env(const char* name) {
  const char* v = getenv(name);
  return v && *v ? v : nullptr;
}

template <typename F>
F Real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// Raw read of the control file, bypassing anything we intercept.
Mode CurrentMode() {
  const char* control = Env("SLUICE_FAULT_CONTROL");
  if (!control) return kNone;
  struct stat sb;
  pthread_mutex_lock(&g_mu);
  if (stat(control, &sb) != 0) {
    g_mode = kNone;
    g_size = -1;
  } else if (sb.st_size != g_size || sb.st_mtim.tv_sec != g_mtime.tv_sec || sb.st_mtim.tv_nsec != g_mtime.tv_nsec) {
    char buf[64] = {0};
    int fd = open(control, O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0) close(fd);
    buf[n > 0 ? n : 0] = '\0';
    for (ssize_t i = (n > 0 ? n : 0) - 1; i >= 0 && (buf[i] == '\n' || buf[i] == ' '); --i) buf[i] = '\0';
    g_mode = !strcmp(buf, "enospc")       ? kWriteEnospc
             : !strcmp(buf, "eio-write")  ? kWriteEio
             : !strcmp(buf, "eio-fsync")  ? kSyncEio
             : !strcmp(buf, "enospc-all") ? kAllEnospc
                                          : kNone;
    g_mtime = sb.st_mtim;
    g_size = sb.st_size;
  }
  Mode m = g_mode;
  pthread_mutex_unlock(&g_mu);
  return m;
}

bool PathOfFd(int fd, char* out, size_t cap) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, cap - 1);
  if (n <= 0) return false;
  out[n] = '\0';
  return true;
}

void RecordHit(const char* call, const char* path) {
  const char* control = Env("SLUICE_FAULT_CONTROL");
  if (!control) return;
  char hits[4096];
  snprintf(hits, sizeof hits, "%s.hits", control);
  static auto real_write = Real<ssize_t (*)(int, const void*, size_t)>("write");
  int fd = open(hits, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[4200];
  int len = snprintf(line, sizeof line, "%s %s\n", call, path);
  if (len > 0) (void)real_write(fd, line, static_cast<size_t>(len));
  close(fd);
}

// errno to fail `call` on `fd` with, or 0 to let it through.
int FaultFor(int fd, bool is_sync, const char* call) {
  const char* dir = Env("SLUICE_FAULT_DIR");
  if (!dir || fd < 0) return 0;
  Mode m = CurrentMode();
  if (m == kNone) return 0;
  int err = 0;
  if (is_sync) {
    if (m == kSyncEio) err = EIO;
    if (m == kAllEnospc) err = ENOSPC;
  } else {
    if (m == kWriteEnospc || m == kAllEnospc) err = ENOSPC;
    if (m == kWriteEio) err = EIO;
  }
  if (!err) return 0;
  char path[4096];
  if (!PathOfFd(fd, path, sizeof path) || strncmp(path, dir, strlen(dir)) != 0) return 0;
  RecordHit(call, path);
  return err;
}

}  // namespace

#define SLUICE_FAULT_CHECK(fd, is_sync, name)      \
  do {                                             \
    if (int e = FaultFor((fd), (is_sync), name)) { \
      errno = e;                                   \
      return -1;                                   \
    }                                              \
  } while (0)

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t)>("write");
  SLUICE_FAULT_CHECK(fd, false, "write");
  return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  SLUICE_FAULT_CHECK(fd, false, "pwrite");
  return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t off) {
  static auto real = Real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite64");
  SLUICE_FAULT_CHECK(fd, false, "pwrite64");
  return real(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec* iov, int cnt) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int)>("writev");
  SLUICE_FAULT_CHECK(fd, false, "writev");
  return real(fd, iov, cnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int cnt, off_t off) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev");
  SLUICE_FAULT_CHECK(fd, false, "pwritev");
  return real(fd, iov, cnt, off);
}

ssize_t pwritev64(int fd, const struct iovec* iov, int cnt, off_t off) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev64");
  SLUICE_FAULT_CHECK(fd, false, "pwritev64");
  return real(fd, iov, cnt, off);
}

ssize_t pwritev2(int fd, const struct iovec* iov, int cnt, off_t off, int flags) {
  static auto real = Real<ssize_t (*)(int, const struct iovec*, int, off_t, int)>("pwritev2");
  SLUICE_FAULT_CHECK(fd, false, "pwritev2");
  return real(fd, iov, cnt, off, flags);
}

int fallocate(int fd, int mode, off_t off, off_t len) {
  static auto real = Real<int (*)(int, int, off_t, off_t)>("fallocate");
  SLUICE_FAULT_CHECK(fd, false, "fallocate");
  return real(fd, mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len) {
  static auto real = Real<int (*)(int, off_t, off_t)>("posix_fallocate");
  if (int e = FaultFor(fd, false, "posix_fallocate")) return e;  // returns the error
  return real(fd, off, len);
}

int fsync(int fd) {
  static auto real = Real<int (*)(int)>("fsync");
  SLUICE_FAULT_CHECK(fd, true, "fsync");
  return real(fd);
}

int fdatasync(int fd) {
  static auto real = Real<int (*)(int)>("fdatasync");
  SLUICE_FAULT_CHECK(fd, true, "fdatasync");
  return real(fd);
}

int sync_file_range(int fd, off_t off, off_t n, unsigned int flags) {
  static auto real = Real<int (*)(int, off_t, off_t, unsigned int)>("sync_file_range");
  SLUICE_FAULT_CHECK(fd, true, "sync_file_range");
  return real(fd, off, n, flags);
}

}  // extern "C"
