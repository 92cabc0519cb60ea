#ifndef TUNA_PATTERNS_H
#define TUNA_PATTERNS_H

#include "lua.h"

/// Replaces string.find, match, gmatch and gsub with matchers that stop at the state's limits.
void ls_open_patterns(lua_State *L);

#endif
