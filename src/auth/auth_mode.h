// `sluice serve --auth`: off (accept any request, as local emulators do),
// strict (verify every SigV4 signature), or auto (the default): strict when
// the server listens on anything but a loopback address, off on loopback.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::auth {

enum class AuthMode { kOff, kStrict };

// "127.0.0.1" (any 127/8 address), "::1", "[::1]", "localhost".
bool IsLoopbackHost(std::string_view host);
// The mode for --auth `flag` ("off" | "strict" | "auto") and --host;
// nullopt for an unknown flag.
std::optional<AuthMode> ResolveAuthMode(std::string_view flag, std::string_view host);
std::string_view AuthModeName(AuthMode mode);

}  // namespace sluice::auth
