/* WSAAsyncSelect: network events as window messages to a message-only
 * window (wParam the socket, lParam WSAMAKESELECTREPLY(event, error)).
 * Runs on each engine. */
#include "ws2io.h"

#define WM_SOCKET (WM_USER + 1)

static LRESULT CALLBACK proc(HWND h, UINT m, WPARAM w, LPARAM l) {
  return DefWindowProcA(h, m, w, l);
}

/* The next WM_SOCKET message within ms, or 0 in lParam. */
static MSG next_socket_msg(HWND hwnd, DWORD ms) {
  MSG msg;
  DWORD start = GetTickCount();
  memset(&msg, 0, sizeof(msg));
  while (GetTickCount() - start < ms) {
    if (PeekMessageA(&msg, hwnd, WM_SOCKET, WM_SOCKET, PM_REMOVE)) return msg;
    Sleep(5);
  }
  memset(&msg, 0, sizeof(msg));
  return msg;
}

TEST(async_select_read_and_close) {
  WNDCLASSA wc;
  HWND hwnd;
  SOCKET c, s;
  MSG m;
  char buf[8];
  t_startup();
  memset(&wc, 0, sizeof(wc));
  wc.lpfnWndProc = proc;
  wc.lpszClassName = "ws2-async-test";
  ASSERT_NE(RegisterClassA(&wc), 0);
  hwnd = CreateWindowExA(0, "ws2-async-test", "", 0, 0, 0, 0, 0, HWND_MESSAGE,
                         NULL, NULL, NULL);
  ASSERT_NE_PTR(hwnd, NULL);
  t_tcp_pair(&c, &s);
  ASSERT_EQ(WSAAsyncSelect(s, NULL, WM_SOCKET, FD_READ), SOCKET_ERROR);
  ASSERT_EQ(WSAGetLastError(), WSAEINVAL);
  ASSERT_EQ(WSAAsyncSelect(s, hwnd, WM_SOCKET, FD_READ | FD_CLOSE), 0);
  ASSERT_EQ(send(c, "hi", 2, 0), 2);
  m = next_socket_msg(hwnd, 5000);
  ASSERT_EQ(m.wParam, s);
  ASSERT_EQ(WSAGETSELECTEVENT(m.lParam), FD_READ);
  ASSERT_EQ(WSAGETSELECTERROR(m.lParam), 0);
  ASSERT_EQ(recv(s, buf, sizeof(buf), 0), 2);
  ASSERT_EQ(closesocket(c), 0);
  m = next_socket_msg(hwnd, 5000);
  ASSERT_EQ(WSAGETSELECTEVENT(m.lParam), FD_CLOSE);
  ASSERT_EQ(closesocket(s), 0);
  ASSERT_TRUE(DestroyWindow(hwnd));
  ASSERT_TRUE(UnregisterClassA("ws2-async-test", NULL));
  t_cleanup();
}
