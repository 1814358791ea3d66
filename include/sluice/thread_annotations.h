// Clang thread-safety analysis attributes (-Wthread-safety), as SLUICE_*
// macros so an installed header cannot clash with a user's own GUARDED_BY.
// They expand to nothing on compilers without the analysis (gcc). Inside the
// tree, base/thread_annotations.h gives the short names (GUARDED_BY, ...).
//
// The vocabulary (clang's "Thread Safety Analysis" documentation):
//   SLUICE_CAPABILITY(name)      a class is a lock ("mutex")
//   SLUICE_SCOPED_CAPABILITY     a class holds a lock for its lifetime (RAII)
//   SLUICE_GUARDED_BY(mu)        a field is read and written only under mu
//   SLUICE_PT_GUARDED_BY(mu)     what a pointer field points to is guarded by mu
//   SLUICE_REQUIRES(mu...)       callers hold mu (exclusively)
//   SLUICE_REQUIRES_SHARED(...)  callers hold mu at least shared
//   SLUICE_ACQUIRE/RELEASE(...)  the function takes / gives back a lock
//   SLUICE_EXCLUDES(mu...)       callers must not hold mu (the function takes it)
//   SLUICE_NO_THREAD_SAFETY_ANALYSIS  opt a function out; say why beside it
#pragma once

#if defined(__clang__)
#define SLUICE_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define SLUICE_THREAD_ANNOTATION_(x)
#endif

#define SLUICE_CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(capability(x))
#define SLUICE_SCOPED_CAPABILITY SLUICE_THREAD_ANNOTATION_(scoped_lockable)
#define SLUICE_GUARDED_BY(x) SLUICE_THREAD_ANNOTATION_(guarded_by(x))
#define SLUICE_PT_GUARDED_BY(x) SLUICE_THREAD_ANNOTATION_(pt_guarded_by(x))
#define SLUICE_ACQUIRED_BEFORE(...) SLUICE_THREAD_ANNOTATION_(acquired_before(__VA_ARGS__))
#define SLUICE_ACQUIRED_AFTER(...) SLUICE_THREAD_ANNOTATION_(acquired_after(__VA_ARGS__))
#define SLUICE_REQUIRES(...) SLUICE_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define SLUICE_REQUIRES_SHARED(...) SLUICE_THREAD_ANNOTATION_(requires_shared_capability(__VA_ARGS__))
#define SLUICE_ACQUIRE(...) SLUICE_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define SLUICE_ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#define SLUICE_RELEASE(...) SLUICE_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define SLUICE_RELEASE_SHARED(...) SLUICE_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#define SLUICE_RELEASE_GENERIC(...) SLUICE_THREAD_ANNOTATION_(release_generic_capability(__VA_ARGS__))
#define SLUICE_TRY_ACQUIRE(...) SLUICE_THREAD_ANNOTATION_(try_acquire_capability(__VA_ARGS__))
#define SLUICE_TRY_ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION_(try_acquire_shared_capability(__VA_ARGS__))
#define SLUICE_EXCLUDES(...) SLUICE_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))
#define SLUICE_ASSERT_CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(assert_capability(x))
#define SLUICE_ASSERT_SHARED_CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(assert_shared_capability(x))
#define SLUICE_RETURN_CAPABILITY(x) SLUICE_THREAD_ANNOTATION_(lock_returned(x))
#define SLUICE_NO_THREAD_SAFETY_ANALYSIS SLUICE_THREAD_ANNOTATION_(no_thread_safety_analysis)
