#ifndef CPROCESS_H
#define CPROCESS_H

/// Asks the kernel to send `signal` to this process when its parent dies (Linux prctl
/// PR_SET_PDEATHSIG; a no-op elsewhere). Returns 0 on success.
int tuna_set_parent_death_signal(int signal);

/// A pipe whose two ends are close-on-exec from the start (pipe2 with O_CLOEXEC on Linux), so
/// a child another thread spawns meanwhile inherits neither. Returns 0 on success.
int tuna_pipe_cloexec(int fds[2]);

#endif
