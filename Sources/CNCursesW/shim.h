// ncursesw for Swift 6: wide-character API on, and tiny functions for what Swift cannot
// import (macros, and globals that are not concurrency-safe).
#ifndef TERMAUTH_CNCURSESW_SHIM_H
#define TERMAUTH_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <signal.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *termauth_stdscr(void) { return stdscr; }
static inline int termauth_lines(void) { return LINES; }
static inline int termauth_cols(void) { return COLS; }
static inline int termauth_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int termauth_a_bold(void) { return (int)A_BOLD; }
static inline int termauth_a_reverse(void) { return (int)A_REVERSE; }
static inline int termauth_a_underline(void) { return (int)A_UNDERLINE; }
static inline int termauth_a_dim(void) { return (int)A_DIM; }
static inline int termauth_a_normal(void) { return (int)A_NORMAL; }
static inline int termauth_colors(void) { return COLORS; }

/// The terminal's real size, asked of the tty itself: SIGWINCH can land on any thread of a
/// multi-threaded process, and then ncurses never hears of the resize.
static inline int termauth_tty_size(int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

/// Paints one wide string at a position with attributes and a colour pair.
static inline int termauth_put(int y, int x, const wchar_t *text, int attrs, int pair) {
    attr_set((attr_t)attrs, (short)pair, NULL);
    int rc = mvaddwstr(y, x, text);
    attr_set(A_NORMAL, 0, NULL);
    return rc;
}

#endif
