#ifndef CPROCESS_H
#define CPROCESS_H

/// Asks the kernel to send `signal` to this process when its parent dies (Linux prctl
/// PR_SET_PDEATHSIG; a no-op elsewhere). Returns 0 on success.
int tuna_set_parent_death_signal(int signal);

#endif
