// The few calls the SSH front end needs that Swift cannot make itself: ioctl is variadic, and
// a child on a pseudo-terminal must get it as its controlling terminal without fork (the
// server is multithreaded, so forkpty is out): posix_spawn with POSIX_SPAWN_SETSID, then open
// the slave by its path, which happens after setsid in glibc's child.
#ifndef TERMAUTH_PTY_SHIM_H
#define TERMAUTH_PTY_SHIM_H

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

#ifndef POSIX_SPAWN_SETSID
#define POSIX_SPAWN_SETSID 0x80  // glibc's value; spawn.h shows it only under _GNU_SOURCE
#endif

// Opens a new pseudo-terminal of the given size. Returns the master descriptor (close-on-exec,
// never the caller's controlling terminal) and writes the slave's path, or returns -1.
static inline int termauth_pty_open(unsigned short rows, unsigned short columns, char *slave, size_t size) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    unsigned int number = 0;
    if (grantpt(master) != 0 || unlockpt(master) != 0 || ioctl(master, TIOCGPTN, &number) != 0) {
        close(master);
        return -1;
    }
    snprintf(slave, size, "/dev/pts/%u", number);
    struct winsize ws = {rows, columns, 0, 0};
    (void)ioctl(master, TIOCSWINSZ, &ws);
    return master;
}

// The kernel sends SIGWINCH to the terminal's foreground process group.
static inline int termauth_pty_resize(int master, unsigned short rows, unsigned short columns) {
    struct winsize ws = {rows, columns, 0, 0};
    return ioctl(master, TIOCSWINSZ, &ws);
}

// Starts `path` in a new session whose controlling terminal is `tty` (on fds 0, 1 and 2),
// with default signal handling and nothing else inherited. Returns 0 or an errno value.
static inline int termauth_spawn_on_tty(const char *path, char *const argv[], char *const envp[], const char *tty, pid_t *pid) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    int reset[] = {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGTERM, SIGWINCH, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU};
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++) sigaddset(&defaults, reset[i]);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, tty, O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&actions, 0, 1);
    posix_spawn_file_actions_adddup2(&actions, 0, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    int rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

#endif
