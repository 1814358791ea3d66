// Writes a GUARDED_BY field without its lock: clang's thread-safety analysis
// must refuse it (ctest checks.thread_safety_rejects_unguarded_access).
#include "sluice/mutex.h"

class Counter {
 public:
  void Add() { ++value_; }  // the finding: mu_ is not held

 private:
  sluice::Mutex mu_;
  int value_ SLUICE_GUARDED_BY(mu_) = 0;
};

int main() {
  Counter c;
  c.Add();
}
