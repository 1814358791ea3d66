// Annotated locks: public in include/sluice/mutex.h (namespace sluice::), so
// the client's public headers can hold one; this forward keeps the short include.
#pragma once

#include "base/thread_annotations.h"
#include "sluice/mutex.h"
