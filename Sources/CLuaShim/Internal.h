/* What the shim's C files share among themselves (not part of the module's interface). */
#ifndef LS_INTERNAL_H
#define LS_INTERNAL_H

#include "lua.h"

/* Adds the thread at idx to the set of coroutines the host re-arms its hook on. */
void ls_record_thread(lua_State *L, int idx);
/* Whether h is the host's own count hook (the one that enforces limits and Ctrl-C). */
int ls_is_host_hook(lua_Hook h);
/* Whether a deadline is armed on this state. */
int ls_deadline_armed(lua_State *L);

#endif
