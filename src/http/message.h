// The transport-neutral request and response values (wire/message.h) under
// the names the HTTP server's own code uses.
#pragma once

#include "wire/message.h"

namespace sluice::http {

using Request = wire::Request;
using BodySource = wire::BodySource;
using Response = wire::Response;
using Responder = wire::Responder;
using Handler = wire::Handler;

}  // namespace sluice::http
