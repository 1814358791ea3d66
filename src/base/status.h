// Moved to the public headers: include/sluice/status.h (namespace sluice::).
#pragma once

#include "sluice/status.h"
