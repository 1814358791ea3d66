// Moved to the public headers: include/sluice/clock.h (namespace sluice::).
#pragma once

#include "sluice/clock.h"
