// The thread-safety attributes under their short names, for code inside the
// tree (public headers use the SLUICE_* names of sluice/thread_annotations.h).
// Clang checks them with -Wthread-safety (an error in clang builds, CMakeLists.txt);
// under gcc they are empty.
#pragma once

#include "sluice/thread_annotations.h"

#define CAPABILITY(x) SLUICE_CAPABILITY(x)
#define SCOPED_CAPABILITY SLUICE_SCOPED_CAPABILITY
#define GUARDED_BY(x) SLUICE_GUARDED_BY(x)
#define PT_GUARDED_BY(x) SLUICE_PT_GUARDED_BY(x)
#define ACQUIRED_BEFORE(...) SLUICE_ACQUIRED_BEFORE(__VA_ARGS__)
#define ACQUIRED_AFTER(...) SLUICE_ACQUIRED_AFTER(__VA_ARGS__)
#define REQUIRES(...) SLUICE_REQUIRES(__VA_ARGS__)
#define REQUIRES_SHARED(...) SLUICE_REQUIRES_SHARED(__VA_ARGS__)
#define ACQUIRE(...) SLUICE_ACQUIRE(__VA_ARGS__)
#define ACQUIRE_SHARED(...) SLUICE_ACQUIRE_SHARED(__VA_ARGS__)
#define RELEASE(...) SLUICE_RELEASE(__VA_ARGS__)
#define RELEASE_SHARED(...) SLUICE_RELEASE_SHARED(__VA_ARGS__)
#define TRY_ACQUIRE(...) SLUICE_TRY_ACQUIRE(__VA_ARGS__)
#define EXCLUDES(...) SLUICE_EXCLUDES(__VA_ARGS__)
#define ASSERT_CAPABILITY(x) SLUICE_ASSERT_CAPABILITY(x)
#define RETURN_CAPABILITY(x) SLUICE_RETURN_CAPABILITY(x)
#define NO_THREAD_SAFETY_ANALYSIS SLUICE_NO_THREAD_SAFETY_ANALYSIS
