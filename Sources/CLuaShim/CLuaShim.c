#include "CLuaShim.h"
#include "GuardedLibs.h"
#include "Internal.h"
#include "Patterns.h"

#include <stdatomic.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// A memory cap several states share (the workers of one optimize call).
struct ls_budget {
  _Atomic size_t used;
  size_t cap;
};

/// Per-state bookkeeping, reached through the state's extra space and the allocator's `ud`.
typedef struct ls_limits {
  ls_budget *shared;     /* when set, this state's bytes also count against it */
  ls_budget *held;       /* native bytes kept for the scripts outside any state (counted on top) */
  size_t mem_used, mem_peak, mem_cap, mem_denied;
  int host_depth;        /* > 0 while host code runs: the memory cap is not enforced */
  _Atomic int64_t deadline_ns; /* 0 = none; read from other threads by ls_limit_passed */
  int tripped;           /* LS_TRIP_* */
  int hook_every;        /* > 0 while a limit is armed */
  atomic_int cancel;
  int nested_set;        /* the running host call recorded a nested traceback */
  int closing;           /* the state is closing: finalizers run, the host is going away */
  size_t pending;        /* native bytes the running host call was granted (in mem_used until it returns) */
  int warnings_on;       /* warn("@on") / warn("@off"), off at first as in the lua program */
  int warning_continues; /* the last warning piece asked to be continued */
  char message[160];
} ls_limits;

/* A host object's userdata: the retained object, and the bytes of native memory it holds that
   count against the state's memory cap until its __gc runs. */
typedef struct {
  void *object;
  size_t charge;
} object_slot;

static ls_dispatch_fn g_dispatch = NULL;
static ls_release_fn g_release = NULL;

static const char *const NESTED_MSG = "luavm.nested.message";
static const char *const NESTED_TB = "luavm.nested.traceback";
/* Its address keys the registry's weak set of coroutines (see track_coroutine). */
static const char THREADS_KEY = 0;

static int ls_trampoline(lua_State *L);
static int ls_indexer(lua_State *L);

/* Bytes the host keeps for the scripts outside any state (ls_attach_held), 0 without. */
static size_t held_of(const ls_limits *lim) { return lim->held ? atomic_load(&lim->held->used) : 0; }

void ls_set_host_callbacks(ls_dispatch_fn dispatch, ls_release_fn release) {
  g_dispatch = dispatch;
  g_release = release;
}

static ls_limits *limits_of(lua_State *L) { return *(ls_limits **)lua_getextraspace(L); }

// MARK: Allocation

/* What a block of n bytes costs the process: the allocator's chunk, header and alignment
   included (glibc: n + 8 rounded up to 16, at least 32). Counting requested bytes instead let a
   script of many small tables hold a third more than its limit. */
static size_t footprint(size_t n) {
  size_t chunk = (n + sizeof(size_t) + 15) & ~(size_t)15;
  return chunk < 32 ? 32 : chunk;
}

static void *ls_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  ls_limits *lim = (ls_limits *)ud;
  ls_budget *shared = lim->shared;
  size_t old = ptr ? footprint(osize) : 0; /* when ptr is NULL, osize is a type tag */
  if (nsize == 0) {
    free(ptr);
    lim->mem_used -= old;
    if (shared) atomic_fetch_sub(&shared->used, old);
    return NULL;
  }
  size_t want = footprint(nsize);
  size_t grow = want > old ? want - old : 0;
  size_t held = grow > 0 && lim->host_depth == 0 ? held_of(lim) : 0;
  if (grow > 0 && lim->mem_cap != 0 && lim->host_depth == 0) {
    size_t used = lim->mem_used + held;
    size_t headroom = lim->mem_cap > used ? lim->mem_cap - used : 0;
    if (grow > headroom) {
      lim->mem_denied++;
      return NULL; /* Lua collects and retries, then raises "not enough memory" */
    }
  }
  if (grow > 0 && shared) {
    /* Claimed before allocating, so states on other threads see it; given back if refused. */
    size_t before = atomic_fetch_add(&shared->used, grow);
    if (lim->host_depth == 0 && before + grow + held > shared->cap) {
      atomic_fetch_sub(&shared->used, grow);
      lim->mem_denied++;
      return NULL;
    }
  }
  void *p = realloc(ptr, nsize);
  if (p == NULL) {
    if (grow > 0 && shared) atomic_fetch_sub(&shared->used, grow);
    return nsize <= osize && ptr ? ptr : NULL; /* a shrink never fails */
  }
  if (want < old && shared) atomic_fetch_sub(&shared->used, old - want);
  lim->mem_used = lim->mem_used - old + want;
  if (lim->mem_used > lim->mem_peak) lim->mem_peak = lim->mem_used;
  return p;
}

ls_budget *ls_budget_new(size_t cap) {
  ls_budget *b = calloc(1, sizeof(ls_budget));
  if (b) b->cap = cap;
  return b;
}

void ls_budget_free(ls_budget *b) { free(b); }

void ls_budget_add(ls_budget *b, long long delta) {
  if (delta >= 0) {
    atomic_fetch_add(&b->used, (size_t)delta);
    return;
  }
  size_t less = (size_t)(-(delta + 1)) + 1, now = atomic_load(&b->used);
  while (!atomic_compare_exchange_weak(&b->used, &now, now > less ? now - less : 0)) {}
}

void ls_attach_held(lua_State *L, ls_budget *held) { limits_of(L)->held = held; }

size_t ls_budget_used(ls_budget *b) { return atomic_load(&b->used); }

void ls_attach_budget(lua_State *L, ls_budget *b) {
  ls_limits *lim = limits_of(L);
  if (lim->shared) ls_detach_budget(L);
  if (!b) return;
  atomic_fetch_add(&b->used, lim->mem_used);
  lim->shared = b;
}

void ls_detach_budget(lua_State *L) {
  ls_limits *lim = limits_of(L);
  if (!lim->shared) return;
  atomic_fetch_sub(&lim->shared->used, lim->mem_used);
  lim->shared = NULL;
}

static int ls_panic(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "PANIC: unprotected error in call to Lua API (%s)\n", msg ? msg : "?");
  fflush(stderr);
  return 0; /* Lua then aborts */
}

/* Warnings as the lua program shows them: off until warn("@on"), on stderr prefixed "Lua
   warning: ", pieces joined until one does not ask to continue; "@on"/"@off" switch them, and
   other control messages (a single piece starting with '@') are ignored. Per state. */
static void ls_warn(void *ud, const char *msg, int tocont) {
  ls_limits *lim = limits_of((lua_State *)ud);
  if (!lim->warning_continues && !tocont && msg[0] == '@') {
    if (strcmp(msg, "@on") == 0) lim->warnings_on = 1;
    else if (strcmp(msg, "@off") == 0) lim->warnings_on = 0;
    return;
  }
  if (lim->warnings_on) {
    if (!lim->warning_continues) fputs("Lua warning: ", stderr);
    fputs(msg, stderr);
    if (!tocont) fputc('\n', stderr);
  }
  lim->warning_continues = tocont;
}

lua_State *ls_newstate(void) {
  ls_limits *lim = calloc(1, sizeof(ls_limits));
  if (lim == NULL) return NULL;
  lim->host_depth = 1;
  lua_State *L = lua_newstate(ls_alloc, lim);
  if (L == NULL) {
    free(lim);
    return NULL;
  }
  *(ls_limits **)lua_getextraspace(L) = lim;
  lua_atpanic(L, ls_panic);
  lua_setwarnf(L, ls_warn, L);
  return L;
}

void ls_close(lua_State *L) {
  ls_detach_budget(L);
  ls_limits *lim = limits_of(L);
  lim->mem_cap = 0;
  lim->host_depth = 1;
  lim->closing = 1;
  lua_close(L);
  free(lim);
}

// MARK: Libraries

/* setmetatable that refuses __gc: finalizers run without hooks and could hang the host. */
static int ls_safe_setmetatable(lua_State *L) {
  int t = lua_type(L, 2);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
    return luaL_error(L, "cannot change a protected metatable");
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL)
      return luaL_error(L, "__gc metamethods are not allowed in the sandbox");
    lua_pop(L, 1);
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

/* load that only accepts text: binary chunks can crash the VM. A mode without 't' (asking for
   binary only) gets fail and a message, as a refused load does. */
static int ls_text_load(lua_State *L) {
  int n = lua_gettop(L);
  const char *mode = luaL_optstring(L, 3, "bt");
  if (strchr(mode, 't') == NULL) {
    luaL_pushfail(L);
    lua_pushfstring(L, "binary chunks are not allowed in the sandbox (mode is '%s')", mode);
    return 2;
  }
  if (n < 3) lua_settop(L, 3);
  lua_pushliteral(L, "t");
  lua_replace(L, 3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n < 3 ? 3 : n, LUA_MULTRET);
  return lua_gettop(L);
}

void ls_record_thread(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &THREADS_KEY) == LUA_TTABLE) {
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
  }
  lua_pop(L, 1);
}

/* The weak set of coroutines (GuardedLibs.c records each one made): hooks are per thread and a
   coroutine only inherits the hook its creator had, so without it a coroutine made before a
   deadline was armed would run unhooked, and could never be stopped. */
static void track_coroutines(lua_State *L) {
  lua_newtable(L);
  lua_newtable(L);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &THREADS_KEY);
}

/* Sets (or with hook NULL, clears) the count hook on the main thread and on every recorded
   coroutine, whichever thread `L` is: a limit that trips inside a coroutine must fire on every
   instruction of every thread from then on, or a pcall loop elsewhere would swallow it. */
static void hook_all_threads(lua_State *L, lua_Hook hook, int every) {
  int mask = hook ? LUA_MASKCOUNT : 0;
  if (!lua_checkstack(L, 4)) { /* no room to walk the set: at least this thread */
    lua_sethook(L, hook, mask, hook ? every : 0);
    return;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  lua_State *main = lua_tothread(L, -1);
  lua_pop(L, 1);
  if (main != NULL) lua_sethook(main, hook, mask, hook ? every : 0);
  if (L != main) lua_sethook(L, hook, mask, hook ? every : 0);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &THREADS_KEY) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) { /* keys are threads: lua_next cannot raise here */
      lua_State *co = lua_tothread(L, -2);
      if (co != NULL) lua_sethook(co, hook, mask, hook ? every : 0);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
}

static int open_libs(lua_State *L) {
  int sandbox = (int)lua_tointeger(L, 1);
  if (!sandbox) {
    luaL_openlibs(L);
    ls_open_patterns(L);
    track_coroutines(L);
    ls_open_guarded_libs(L);
    return 0;
  }
  static const luaL_Reg safe[] = {
    {LUA_GNAME, luaopen_base},        {LUA_COLIBNAME, luaopen_coroutine},
    {LUA_TABLIBNAME, luaopen_table},  {LUA_STRLIBNAME, luaopen_string},
    {LUA_MATHLIBNAME, luaopen_math},  {LUA_UTF8LIBNAME, luaopen_utf8},
    {NULL, NULL},
  };
  for (const luaL_Reg *lib = safe; lib->func; lib++) {
    luaL_requiref(L, lib->name, lib->func, 1);
    lua_pop(L, 1);
  }
  ls_open_patterns(L);
  lua_pushglobaltable(L);
  lua_pushnil(L);
  lua_setfield(L, -2, "dofile");
  lua_pushnil(L);
  lua_setfield(L, -2, "loadfile");
  lua_pushcfunction(L, ls_safe_setmetatable);
  lua_setfield(L, -2, "setmetatable");
  lua_getfield(L, -1, "load");
  lua_pushcclosure(L, ls_text_load, 1);
  lua_setfield(L, -2, "load");
  lua_pop(L, 1);
  track_coroutines(L);
  ls_open_guarded_libs(L);
  return 0;
}

int ls_openlibs(lua_State *L, int sandbox) {
  lua_pushcfunction(L, open_libs);
  lua_pushinteger(L, sandbox);
  return lua_pcall(L, 1, 0, 0);
}

// MARK: Macros

int ls_registryindex(void) { return LUA_REGISTRYINDEX; }
int ls_upvalueindex(int i) { return lua_upvalueindex(i); }
void ls_pop(lua_State *L, int n) { lua_pop(L, n); }
void ls_newtable(lua_State *L) { lua_newtable(L); }
int ls_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
void *ls_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 0); }
int ls_gc(lua_State *L, int what, int arg) { return lua_gc(L, what, arg); }
int ls_loadtext(lua_State *L, const char *buff, size_t size, const char *chunkname) {
  return luaL_loadbufferx(L, buff, size, chunkname, "t");
}
void ls_remove(lua_State *L, int idx) { lua_remove(L, idx); }
void ls_insert(lua_State *L, int idx) { lua_insert(L, idx); }

// MARK: Calls

int ls_msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      msg = lua_tostring(L, -1);
    else
      return 1; /* a table or userdata error value (a prune signal, say) passes untouched */
  }
  /* An error re-raised by the host from a nested call: keep the inner traceback. Only when the
     trampoline itself is raising it (level 1): a record a script's pcall swallowed is stale. */
  lua_Debug ar;
  int nested = 0;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "f", &ar)) {
    nested = lua_tocfunction(L, -1) == ls_trampoline;
    lua_pop(L, 1);
  }
  if (nested) {
    lua_getfield(L, LUA_REGISTRYINDEX, NESTED_MSG);
    nested = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), msg) == 0;
    lua_pop(L, 1);
  }
  if (nested) {
    lua_getfield(L, LUA_REGISTRYINDEX, NESTED_TB);
    const char *inner = lua_tostring(L, -1);
    lua_pushfstring(L, "%s\n%s", msg, inner ? inner : "");
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, NESTED_MSG);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, NESTED_TB);
    return 1;
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

void ls_set_nested_traceback(lua_State *L, const char *message, const char *traceback) {
  lua_pushstring(L, message);
  lua_setfield(L, LUA_REGISTRYINDEX, NESTED_MSG);
  lua_pushstring(L, traceback);
  lua_setfield(L, LUA_REGISTRYINDEX, NESTED_TB);
  limits_of(L)->nested_set = 1;
}

/* Drops a nested-traceback record that the raise in progress did not make. */
static void clear_nested(lua_State *L) {
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, NESTED_MSG);
  lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, NESTED_TB);
}

/* The level luaL_where should name for a host function's error: its caller, or, for a getter
   entered through the __index helper, the code that indexed the object. */
static int where_level(lua_State *L) {
  lua_Debug ar;
  int level = 1;
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "f", &ar)) {
    if (lua_tocfunction(L, -1) == ls_indexer) level = 2;
    lua_pop(L, 1);
  }
  return level;
}

void ls_push_argerror(lua_State *L, int arg, const char *fname, const char *registered, const char *message) {
  lua_Debug ar;
  const char *name = fname != NULL && *fname != '\0' ? fname : NULL;
  if (lua_getstack(L, 0, &ar)) {
    lua_getinfo(L, "n", &ar);
    /* The name the call site used, as luaL_argerror reports it; else the registered one. */
    if (name == NULL) name = ar.name;
    if (name == NULL) name = registered;
    if (ar.namewhat != NULL && strcmp(ar.namewhat, "method") == 0) {
      arg--; /* do not count 'self' */
      if (arg == 0) {
        lua_pushfstring(L, "calling '%s' on bad self (%s)", name ? name : "?", message);
        return;
      }
    }
  }
  lua_pushfstring(L, "bad argument #%d to '%s' (%s)", arg, name ? name : "?", message);
}

int ls_pcall_guest(lua_State *L, int nargs, int nresults, int msgh) {
  ls_limits *lim = limits_of(L);
  int saved = lim->host_depth;
  lim->host_depth = 0;
  int status = lua_pcall(L, nargs, nresults, msgh);
  lim->host_depth = saved;
  return status;
}

/* Whether the state holds more than its cap, or its workers together more than theirs. */
static int over_cap(lua_State *L, ls_limits *lim) {
  (void)L;
  size_t held = held_of(lim);
  if (lim->mem_cap != 0 && lim->mem_used + held > lim->mem_cap) return 1;
  return lim->shared != NULL && atomic_load(&lim->shared->used) + held > lim->shared->cap;
}

static int ls_trampoline(lua_State *L) {
  void **slot = (void **)lua_touserdata(L, lua_upvalueindex(1));
  if (slot == NULL || *slot == NULL) return luaL_error(L, "host function was released");
  ls_limits *lim = limits_of(L);
  /* Finalizers run by lua_close at exit may still call the host, which is being torn down. */
  if (lim->closing) return luaL_error(L, "host functions cannot be called while the script's state closes (from a finalizer at exit)");
  lim->host_depth++;
  lim->nested_set = 0;
  int r = g_dispatch(L, *slot);
  if (r < 0) { /* a nested record is kept only for the raise that made it (still uncapped here) */
    if (!lim->nested_set) clear_nested(L);
    lim->nested_set = 0;
  }
  lim->host_depth--;
  if (lim->host_depth == 0 && lim->pending > 0) { /* its work buffers are gone; kept objects are charged */
    size_t bytes = lim->pending < lim->mem_used ? lim->pending : lim->mem_used;
    lim->mem_used -= bytes;
    if (lim->shared) atomic_fetch_sub(&lim->shared->used, bytes);
    lim->pending = 0;
  }
  if (r >= 0 && lim->host_depth == 0 && over_cap(L, lim)) {
    /* What the host pushed counts: a call that leaves the script over its limit fails like an
       allocation the cap refused, once every Swift frame has returned. Garbage the host made is
       collected first, with the results still held. */
    lua_gc(L, LUA_GCCOLLECT);
    if (over_cap(L, lim)) {
      lua_settop(L, 0);
      lim->mem_denied++;
      lua_pushliteral(L, "not enough memory"); /* Lua's own message, never allocated anew */
      return lua_error(L);
    }
  }
  if (r >= 0) return r;
  if (r == LS_RAISE_WHERE) {
    luaL_where(L, where_level(L));
    lua_insert(L, -2);
    lua_concat(L, 2);
  }
  return lua_error(L); /* the only place a host error longjmps: every Swift frame has returned */
}

int ls_object_gc(lua_State *L) {
  void **slot = (void **)lua_touserdata(L, 1);
  if (slot != NULL && *slot != NULL) {
    void *object = *slot;
    *slot = NULL; /* a resurrected userdata must not release twice */
    if (lua_rawlen(L, 1) >= sizeof(object_slot)) { /* an object's: give its charge back */
      object_slot *charged = (object_slot *)slot;
      ls_limits *lim = limits_of(L);
      size_t bytes = charged->charge < lim->mem_used ? charged->charge : lim->mem_used;
      charged->charge = 0;
      lim->mem_used -= bytes;
      if (lim->shared) atomic_fetch_sub(&lim->shared->used, bytes);
    }
    if (g_release) g_release(object);
  }
  return 0;
}

static void ensure_box_metatable(lua_State *L) {
  if (luaL_newmetatable(L, "luavm.hostfunction")) {
    lua_pushcfunction(L, ls_object_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
}

void ls_pushhostfunction(lua_State *L, void *box) {
  void **slot = (void **)lua_newuserdatauv(L, sizeof(void *), 0);
  *slot = box;
  ensure_box_metatable(L);
  lua_setmetatable(L, -2);
  lua_pushcclosure(L, ls_trampoline, 1);
}

void ls_pushobject(lua_State *L, void *object, int mtidx) { ls_pushobject_charged(L, object, mtidx, 0); }

void ls_release_free_memory(void) {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

int ls_claim_pending(lua_State *L, size_t bytes, size_t *left) {
  ls_limits *lim = limits_of(L);
  size_t held = held_of(lim);
  if (lim->mem_cap != 0) {
    size_t used = lim->mem_used + held;
    size_t own_left = lim->mem_cap > used ? lim->mem_cap - used : 0;
    if (bytes > own_left) {
      *left = ls_memory_headroom(L); /* the smaller of this state's room and the shared room */
      return 0;
    }
  }
  if (lim->shared) {
    /* Checked and counted in one step: two workers that each see room for their buffer cannot
       both take it. */
    size_t used = atomic_load(&lim->shared->used);
    do {
      size_t shared_left = lim->shared->cap > used + held ? lim->shared->cap - used - held : 0;
      if (bytes > shared_left) {
        *left = shared_left;
        return 0;
      }
    } while (!atomic_compare_exchange_weak(&lim->shared->used, &used, used + bytes));
  }
  lim->pending += bytes;
  lim->mem_used += bytes;
  if (lim->mem_used > lim->mem_peak) lim->mem_peak = lim->mem_used;
  return 1;
}

void ls_set_object_charge(lua_State *L, int idx, size_t bytes) {
  object_slot *slot = (object_slot *)lua_touserdata(L, idx);
  if (slot == NULL || slot->object == NULL || lua_rawlen(L, idx) < sizeof(object_slot)) return;
  ls_limits *lim = limits_of(L);
  size_t old = slot->charge < lim->mem_used ? slot->charge : lim->mem_used;
  lim->mem_used = lim->mem_used - old + bytes;
  if (lim->mem_used > lim->mem_peak) lim->mem_peak = lim->mem_used;
  if (lim->shared) {
    atomic_fetch_sub(&lim->shared->used, old);
    atomic_fetch_add(&lim->shared->used, bytes);
  }
  slot->charge = bytes;
}

void ls_pushobject_charged(lua_State *L, void *object, int mtidx, size_t bytes) {
  mtidx = lua_absindex(L, mtidx);
  object_slot *slot = (object_slot *)lua_newuserdatauv(L, sizeof(object_slot), 0);
  slot->object = object;
  slot->charge = bytes;
  if (bytes > 0) {
    ls_limits *lim = limits_of(L);
    /* What the running call was granted already counts the object's buffers: that part moves
       from the call to the object instead of being counted twice (a worker's dataset briefly
       counted double could fill a shared cap the others then found full). */
    size_t moved = lim->pending < bytes ? lim->pending : bytes;
    lim->pending -= moved;
    size_t added = bytes - moved;
    lim->mem_used += added;
    if (lim->mem_used > lim->mem_peak) lim->mem_peak = lim->mem_used;
    if (lim->shared && added > 0) atomic_fetch_add(&lim->shared->used, added);
  }
  lua_pushvalue(L, mtidx);
  lua_setmetatable(L, -2);
}

void *ls_toobject(lua_State *L, int idx) {
  void **slot = (void **)lua_touserdata(L, idx);
  return slot ? *slot : NULL;
}

static int ls_indexer(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_pushvalue(L, 1);
  lua_pushvalue(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

void ls_pushindexer(lua_State *L, int methodsidx, int getteridx) {
  methodsidx = lua_absindex(L, methodsidx);
  getteridx = lua_absindex(L, getteridx);
  lua_pushvalue(L, methodsidx);
  lua_pushvalue(L, getteridx);
  lua_pushcclosure(L, ls_indexer, 2);
}

// MARK: Limits

int64_t ls_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void ls_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  ls_limits *lim = limits_of(L);
  if (lim->tripped == LS_TRIP_NONE) {
    if (atomic_load(&lim->cancel))
      lim->tripped = LS_TRIP_CANCEL;
    else if (lim->deadline_ns != 0 && ls_now_ns() >= lim->deadline_ns)
      lim->tripped = LS_TRIP_DEADLINE;
    else
      return;
    /* From now on fire on every instruction of every thread: no pcall can swallow this. */
    hook_all_threads(L, ls_hook, 1);
  }
  luaL_where(L, 0);
  lua_pushstring(L, lim->tripped == LS_TRIP_CANCEL ? "cancelled" : lim->message);
  lua_concat(L, 2);
  lua_error(L);
}

void ls_set_limit(lua_State *L, int64_t deadline_ns, int every, const char *message) {
  ls_limits *lim = limits_of(L);
  lim->deadline_ns = deadline_ns;
  lim->hook_every = every > 0 ? every : 1000;
  snprintf(lim->message, sizeof lim->message, "%s", message ? message : "time limit exceeded");
  /* A deadline trip belonged to the limit this one replaces; a cancel stays until cleared. */
  if (lim->tripped == LS_TRIP_DEADLINE || (lim->tripped == LS_TRIP_CANCEL && !atomic_load(&lim->cancel)))
    lim->tripped = LS_TRIP_NONE;
  /* Arming restarts the hook's count, so a loop that re-arms more often than the count (a
     nested study running one-line trials) would never be checked: a deadline already past
     trips here instead. */
  if (lim->tripped == LS_TRIP_NONE && atomic_load(&lim->cancel))
    lim->tripped = LS_TRIP_CANCEL;
  else if (lim->tripped == LS_TRIP_NONE && lim->deadline_ns != 0 && ls_now_ns() >= lim->deadline_ns)
    lim->tripped = LS_TRIP_DEADLINE;
  hook_all_threads(L, ls_hook, lim->tripped != LS_TRIP_NONE ? 1 : lim->hook_every);
}

void ls_clear_limit(lua_State *L) {
  ls_limits *lim = limits_of(L);
  hook_all_threads(L, NULL, 0);
  lim->deadline_ns = 0;
  lim->hook_every = 0;
  lim->tripped = LS_TRIP_NONE;
  atomic_store(&lim->cancel, 0);
}

int ls_limit_armed(lua_State *L) { return limits_of(L)->hook_every > 0; }
int ls_deadline_armed(lua_State *L) { return limits_of(L)->deadline_ns != 0; }
int ls_is_host_hook(lua_Hook h) { return h == ls_hook; }

int ls_limit_passed(lua_State *L) {
  ls_limits *lim = limits_of(L);
  if (atomic_load(&lim->cancel)) return 1;
  int64_t deadline = atomic_load(&lim->deadline_ns);
  return deadline != 0 && ls_now_ns() >= deadline;
}

const char *ls_check_deadline(lua_State *L) {
  ls_limits *lim = limits_of(L);
  if (lim->tripped == LS_TRIP_NONE) {
    if (atomic_load(&lim->cancel))
      lim->tripped = LS_TRIP_CANCEL;
    else if (lim->deadline_ns != 0 && ls_now_ns() >= lim->deadline_ns)
      lim->tripped = LS_TRIP_DEADLINE;
    else
      return NULL;
    hook_all_threads(L, ls_hook, 1);
  }
  return lim->tripped == LS_TRIP_CANCEL ? "cancelled" : lim->message;
}

int ls_tripped(lua_State *L) { return limits_of(L)->tripped; }

void ls_cancel(lua_State *L) { atomic_store(&limits_of(L)->cancel, 1); }

void ls_set_memory_cap(lua_State *L, size_t bytes) { limits_of(L)->mem_cap = bytes; }
size_t ls_memory_headroom(lua_State *L) {
  ls_limits *lim = limits_of(L);
  size_t left = SIZE_MAX, held = held_of(lim);
  if (lim->mem_cap != 0) left = lim->mem_cap > lim->mem_used + held ? lim->mem_cap - lim->mem_used - held : 0;
  if (lim->shared) {
    size_t used = atomic_load(&lim->shared->used) + held;
    size_t shared_left = lim->shared->cap > used ? lim->shared->cap - used : 0;
    if (shared_left < left) left = shared_left;
  }
  return left;
}
size_t ls_memory_cap(lua_State *L) { return limits_of(L)->mem_cap; }
size_t ls_memory_used(lua_State *L) { return limits_of(L)->mem_used; }
size_t ls_memory_peak(lua_State *L) { return limits_of(L)->mem_peak; }
size_t ls_memory_denied(lua_State *L) { return limits_of(L)->mem_denied; }
