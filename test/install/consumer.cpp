// consumer.cpp: the C++ twin of consumer.c, built by check.sh against an
// installed ws2 with `pkg-config --cflags --libs ws2`. The packet is posted
// from a second thread (CreateThread) and dequeued by the main thread.
#if defined(__has_include)
#if __has_include(<winsock2.h>)
#include <winsock2.h>
#endif
#endif
#include <windows.h>

#include <cstdio>

namespace {

struct Job {
  HANDLE port;
  OVERLAPPED ov;
};

DWORD WINAPI Poster(LPVOID arg) {
  Job *job = static_cast<Job *>(arg);
  return PostQueuedCompletionStatus(job->port, 42, 7, &job->ov) ? 0 : 1;
}

int Fail(const char *what) {
  std::printf("FAILED: %s (error %lu)\n", what,
              static_cast<unsigned long>(GetLastError()));
  return 1;
}

}  // namespace

int main() {
  HANDLE event = CreateEventW(nullptr, FALSE, TRUE, nullptr);
  if (event == nullptr) return Fail("CreateEventW");
  if (WaitForSingleObject(event, 0) != WAIT_OBJECT_0) return Fail("set wait");
  if (WaitForSingleObject(event, 0) != WAIT_TIMEOUT) return Fail("auto reset");

  Job job = {};
  job.port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, nullptr, 0, 0);
  if (job.port == nullptr) return Fail("CreateIoCompletionPort");
  HANDLE thread = CreateThread(nullptr, 0, Poster, &job, 0, nullptr);
  if (thread == nullptr) return Fail("CreateThread");

  DWORD bytes = 0;
  ULONG_PTR key = 0;
  LPOVERLAPPED got = nullptr;
  if (!GetQueuedCompletionStatus(job.port, &bytes, &key, &got, 5000))
    return Fail("GetQueuedCompletionStatus");
  if (bytes != 42 || key != 7 || got != &job.ov) return Fail("packet contents");

  DWORD code = 1;
  if (WaitForSingleObject(thread, 5000) != WAIT_OBJECT_0 ||
      !GetExitCodeThread(thread, &code) || code != 0)
    return Fail("poster thread");

  if (!CloseHandle(thread) || !CloseHandle(job.port) || !CloseHandle(event))
    return Fail("CloseHandle");
  std::printf("OK\n");
  return 0;
}
