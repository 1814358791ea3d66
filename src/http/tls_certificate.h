// The TLS port's certificate: a user's PEM files, or a self-signed one that
// `sluice serve` generates once (ECDSA P-256, SHA-256, ten years, subject
// alternative names localhost, 127.0.0.1 and ::1 plus the listen host) and
// reuses on later starts, so a client can pin it (e.g. boto3 `verify=`,
// NODE_EXTRA_CA_CERTS, the KPL's trust store).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace sluice::http {

// Writes a self-signed certificate and its private key (mode 0600) to the
// given paths unless both exist already.
Status EnsureSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                   const std::vector<std::string>& hosts);

}  // namespace sluice::http
