/* coroutine.create, coroutine.wrap, debug.sethook and debug.gethook, rewritten so the host's
   limits hold without wrapping the library functions (a wrapper adds a C frame that hooks,
   tracebacks and argument errors can see; Lua 5.4.4's own tests notice it).

   - create and wrap record each new coroutine, so a limit armed later reaches it too (a
     coroutine only inherits the hook its creator had when it was made).
   - sethook is refused while a deadline is armed (it would take the limit away); otherwise it
     behaves as the standard one, and its hook also honours Ctrl-C.
   - gethook does not show the host's own hook: a script sees no hook unless it set one.
   - getregistry gives a read-only view, get/setmetatable respect the host's protected
     metatables, and setupvalue leaves C functions alone: through these a trusted script could
     otherwise crash the process (found by the program fuzzer). */

#include "GuardedLibs.h"

#include <string.h>

#include "CLuaShim.h"
#include "Internal.h"
#include "lauxlib.h"

/* MARK: coroutines */

static int make_coroutine(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_State *co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  ls_record_thread(L, -1);
  return 1;
}

/* Resumes co with the n values on top of L; leaves its results (returns their count) or its
   error (returns -1) on L. */
static int resume_with(lua_State *L, lua_State *co, int n) {
  if (!lua_checkstack(co, n)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  lua_xmove(L, co, n);
  int results;
  int status = lua_resume(co, L, n, &results);
  if (status != LUA_OK && status != LUA_YIELD) {
    lua_xmove(co, L, 1);
    return -1;
  }
  if (!lua_checkstack(L, results + 1)) {
    lua_pop(co, results);
    lua_pushliteral(L, "too many results to resume");
    return -1;
  }
  lua_xmove(co, L, results);
  return results;
}

static int call_wrapped(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int results = resume_with(L, co, lua_gettop(L));
  if (results >= 0) return results;
  int status = lua_status(co);
  if (status != LUA_OK && status != LUA_YIELD) { /* it died: close its pending variables */
    status = lua_resetthread(co);
    lua_xmove(co, L, 1); /* the error, after __close handlers ran */
  }
  if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
    luaL_where(L, 1);
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L);
}

static int wrap_coroutine(lua_State *L) {
  make_coroutine(L);
  lua_pushcclosure(L, call_wrapped, 1);
  return 1;
}

/* MARK: hooks */

/* The registry's table of script hooks: thread -> function (weak keys), under the name the
   standard library uses (Lua's own tests look for it). */
static const char *const SCRIPT_HOOKS = "_HOOKKEY";
static const char *const EVENT_NAMES[] = {"call", "return", "line", "count", "tail call"};

static void call_script_hook(lua_State *L, lua_Debug *ar) {
  const char *tripped = ls_check_deadline(L); /* Ctrl-C still stops a script with its own hook */
  if (tripped != NULL) luaL_error(L, "%s", tripped);
  if (lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_HOOKS) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pushthread(L);
  if (lua_rawget(L, -2) == LUA_TFUNCTION) {
    lua_pushstring(L, EVENT_NAMES[ar->event]);
    if (ar->currentline >= 0)
      lua_pushinteger(L, ar->currentline);
    else
      lua_pushnil(L);
    lua_call(L, 2, 0);
  }
}

/* The thread an optional first argument names (else L); *first is where the others start. */
static lua_State *target_thread(lua_State *L, int *first) {
  if (lua_type(L, 1) == LUA_TTHREAD) {
    *first = 1;
    return lua_tothread(L, 1);
  }
  *first = 0;
  return L;
}

static int set_hook(lua_State *L) {
  if (ls_deadline_armed(L)) return luaL_error(L, "debug.sethook is not available while a time limit is armed");
  int first;
  lua_State *co = target_thread(L, &first);
  int mask = 0, count = 0;
  lua_Hook hook = NULL;
  if (lua_isnoneornil(L, first + 1)) {
    lua_settop(L, first + 1); /* no hook: its function is removed below */
  } else {
    const char *events = luaL_checkstring(L, first + 2);
    luaL_checktype(L, first + 1, LUA_TFUNCTION);
    count = (int)luaL_optinteger(L, first + 3, 0);
    if (strchr(events, 'c')) mask |= LUA_MASKCALL;
    if (strchr(events, 'r')) mask |= LUA_MASKRET;
    if (strchr(events, 'l')) mask |= LUA_MASKLINE;
    if (count > 0) mask |= LUA_MASKCOUNT;
    hook = call_script_hook;
  }
  if (lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_HOOKS) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_pushvalue(L, -1);
    lua_setmetatable(L, -2); /* the table is its own metatable: weak keys */
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, SCRIPT_HOOKS);
  }
  if (!lua_checkstack(co, 1)) return luaL_error(L, "stack overflow");
  lua_pushthread(co);
  lua_xmove(co, L, 1); /* the key: the target thread */
  lua_pushvalue(L, first + 1);
  lua_rawset(L, -3);
  lua_sethook(co, hook, mask, count);
  return 0;
}

static int get_hook(lua_State *L) {
  int first;
  lua_State *co = target_thread(L, &first);
  lua_Hook hook = lua_gethook(co);
  if (hook == NULL || ls_is_host_hook(hook)) { /* the host's own hook is not the script's */
    luaL_pushfail(L);
    return 1;
  }
  if (hook != call_script_hook) {
    lua_pushliteral(L, "external hook");
  } else {
    lua_getfield(L, LUA_REGISTRYINDEX, SCRIPT_HOOKS);
    if (!lua_checkstack(co, 1)) return luaL_error(L, "stack overflow");
    lua_pushthread(co);
    lua_xmove(co, L, 1);
    lua_rawget(L, -2);
    lua_remove(L, -2);
  }
  int mask = lua_gethookmask(co);
  char events[4];
  int n = 0;
  if (mask & LUA_MASKCALL) events[n++] = 'c';
  if (mask & LUA_MASKRET) events[n++] = 'r';
  if (mask & LUA_MASKLINE) events[n++] = 'l';
  events[n] = '\0';
  lua_pushstring(L, events);
  lua_pushinteger(L, lua_gethookcount(co));
  return 3;
}

/* MARK: the host's own objects under the debug library (trusted scripts) */

/* Its address keys the read-only view of the registry that debug.getregistry gives. */
static const char REGISTRY_VIEW = 0;

static int refuse_registry_write(lua_State *L) {
  return luaL_error(L, "the registry is read-only for scripts (the host keeps its own values there)");
}

/* debug.getregistry: a view that reads through to the registry but cannot change it, so no
   script can replace what the host keeps there (its references, its metatables' names). */
static int get_registry(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &REGISTRY_VIEW) == LUA_TTABLE) return 1;
  lua_pop(L, 1);
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 3);
  lua_pushvalue(L, LUA_REGISTRYINDEX);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, refuse_registry_write);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &REGISTRY_VIEW);
  return 1;
}

/* Whether the value at idx has a metatable the host protected (a raw `__metatable` field). */
static int protected_metatable(lua_State *L, int idx) {
  if (!lua_getmetatable(L, idx)) return 0;
  int protected = lua_getfield(L, -1, "__metatable") != LUA_TNIL;
  lua_pop(L, 2);
  return protected;
}

/* debug.getmetatable: as getmetatable for the host's protected metatables (their
   `__metatable` value), the metatable itself otherwise. */
static int get_metatable(lua_State *L) {
  luaL_checkany(L, 1);
  if (!lua_getmetatable(L, 1)) {
    lua_pushnil(L);
    return 1;
  }
  if (lua_getfield(L, -1, "__metatable") != LUA_TNIL) return 1;
  lua_pop(L, 1);
  return 1;
}

/* debug.setmetatable: refused on values whose metatable the host protected. */
static int set_metatable(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (protected_metatable(L, 1)) return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

/* debug.setupvalue: refused on C functions, whose upvalues their C code trusts (the host's
   method tables, a coroutine, a match state: another value there would crash the process). */
static int set_upvalue(lua_State *L) {
  luaL_checkany(L, 3);
  lua_Integer n = luaL_checkinteger(L, 2);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  if (lua_iscfunction(L, 1)) return luaL_error(L, "a C function's upvalues cannot be set from a script");
  const char *name = lua_setupvalue(L, 1, (int)n);
  if (name == NULL) return 0;
  lua_pushstring(L, name);
  return 1;
}

void ls_open_guarded_libs(lua_State *L) {
  if (lua_getglobal(L, LUA_COLIBNAME) == LUA_TTABLE) {
    static const luaL_Reg coroutines[] = {{"create", make_coroutine}, {"wrap", wrap_coroutine}, {NULL, NULL}};
    luaL_setfuncs(L, coroutines, 0);
  }
  lua_pop(L, 1);
  if (lua_getglobal(L, LUA_DBLIBNAME) == LUA_TTABLE) {
    static const luaL_Reg hooks[] = {
      {"sethook", set_hook},           {"gethook", get_hook},           {"getregistry", get_registry},
      {"getmetatable", get_metatable}, {"setmetatable", set_metatable}, {"setupvalue", set_upvalue},
      {NULL, NULL},
    };
    luaL_setfuncs(L, hooks, 0);
  }
  lua_pop(L, 1);
}
