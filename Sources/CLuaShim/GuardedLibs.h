#ifndef LS_GUARDED_LIBS_H
#define LS_GUARDED_LIBS_H

#include "lua.h"

/* Replaces coroutine.create/wrap and debug.sethook/gethook (where those libraries are open)
   with versions that keep the host's limits in force. */
void ls_open_guarded_libs(lua_State *L);

#endif
