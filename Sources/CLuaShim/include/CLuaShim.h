// The C side of the Lua bridge. Everything that may longjmp lives here, so that no Lua error
// ever unwinds through a Swift frame: Swift functions return a status and this code raises.
#ifndef CLUASHIM_H
#define CLUASHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stddef.h>
#include <stdint.h>

/// Statuses a host function may return instead of a result count.
enum {
  /// The error value is on top of the stack; raise it as is.
  LS_RAISE = -1,
  /// A message string is on top of the stack; prefix it with the caller's `file:line:` and raise.
  LS_RAISE_WHERE = -2,
};

/// Why the count hook stopped a script.
enum { LS_TRIP_NONE = 0, LS_TRIP_DEADLINE = 1, LS_TRIP_CANCEL = 2 };

/// Host functions are entered through one dispatcher: `box` is the pointer the closure carries.
typedef int (*ls_dispatch_fn)(lua_State *L, void *box);
/// Releases a retained host object whose userdata was collected.
typedef void (*ls_release_fn)(void *object);

/// Installs the dispatcher and the releaser once per process.
void ls_set_host_callbacks(ls_dispatch_fn dispatch, ls_release_fn release);

/// A new state with the capped allocator, a panic and a warning function. NULL when out of memory.
lua_State *ls_newstate(void);
/// Closes the state and frees its limits.
void ls_close(lua_State *L);

/// Opens the standard libraries under a protected call. `sandbox` opens only the safe ones,
/// removes `dofile`/`loadfile`, forces text-only `load` and rejects `__gc` in `setmetatable`.
/// Returns a Lua status; on error the message is on the stack.
int ls_openlibs(lua_State *L, int sandbox);

// MARK: Macros Swift cannot import

int ls_registryindex(void);
int ls_upvalueindex(int i);
void ls_pop(lua_State *L, int n);
void ls_newtable(lua_State *L);
int ls_isnoneornil(lua_State *L, int idx);
void *ls_newuserdata(lua_State *L, size_t size);
int ls_gc(lua_State *L, int what, int arg);
int ls_loadtext(lua_State *L, const char *buff, size_t size, const char *chunkname);
void ls_remove(lua_State *L, int idx);
void ls_insert(lua_State *L, int idx);

// MARK: Calls

/// The message handler: the message plus a traceback (string errors, or anything with
/// `__tostring`); other error values (tables, userdata) pass through untouched.
int ls_msghandler(lua_State *L);
/// `lua_pcall` with the memory cap enforced for the duration (guest code runs capped).
int ls_pcall_guest(lua_State *L, int nargs, int nresults, int msgh);
/// Pushes a C closure over the trampoline whose upvalue 1 is a userdata holding `box`
/// (retained by the caller; released through the releaser when the closure is collected).
void ls_pushhostfunction(lua_State *L, void *box);
/// Pushes a userdata holding `object` with the metatable at `mtidx`. The metatable's `__gc`
/// must be `ls_object_gc` for the object to be released.
void ls_pushobject(lua_State *L, void *object, int mtidx);
/// As `ls_pushobject`, for an object holding `bytes` of native memory made for the script: they
/// count against the state's memory cap (and a shared one) until the userdata is collected.
void ls_pushobject_charged(lua_State *L, void *object, int mtidx, size_t bytes);
/// Counts `bytes` of native memory for the running host call against the state's cap (and a
/// shared one, where other workers see it while the work runs) until the call returns, when
/// the caps leave room: checked and counted at once, so workers asking together cannot
/// overshoot a shared cap. Returns 1 when granted; 0 with what is left in `*left` when not.
int ls_claim_pending(lua_State *L, size_t bytes, size_t *left);
/// Hands free heap pages of every thread's heap back to the system (glibc; a no-op elsewhere).
void ls_release_free_memory(void);
/// Replaces the charge of the object userdata at `idx` (a model refitted holds new buffers).
void ls_set_object_charge(lua_State *L, int idx, size_t bytes);
/// The pointer a host userdata holds, or NULL.
void *ls_toobject(lua_State *L, int idx);
/// `__gc` for host userdata: releases the object and clears the slot.
int ls_object_gc(lua_State *L);
/// Pushes an `__index` closure: looks the key up in the methods table at `methodsidx` (raw),
/// and otherwise calls the function at `getteridx` with (self, key).
void ls_pushindexer(lua_State *L, int methodsidx, int getteridx);
/// Records a traceback for an error that is about to be re-raised through host frames, so the
/// message handler of the outer call shows where it really happened.
void ls_set_nested_traceback(lua_State *L, const char *message, const char *traceback);
/// Pushes `bad argument #n to 'name' (message)` the way `luaL_argerror` words it: a method
/// call (`obj:f(...)`) does not count `self`. The name is `fname` when given, else the one the
/// call site used (Lua's debug info), else `registered` (the binding's own name), else `?`.
void ls_push_argerror(lua_State *L, int arg, const char *fname, const char *registered, const char *message);

// MARK: Limits

/// Arms the count hook on every thread (the main one and every coroutine): every `every`
/// instructions it checks `deadline_ns` (monotonic clock, 0 = none) and the cancel flag. Once
/// tripped it fires on every instruction of every thread, so no `pcall` can swallow it.
/// `message` is what the raised error says. Replacing a limit clears a deadline trip, not a
/// cancel.
void ls_set_limit(lua_State *L, int64_t deadline_ns, int every, const char *message);
/// Removes the hook from every thread and clears the trip state and the cancel flag.
void ls_clear_limit(lua_State *L);
/// Whether a limit is armed.
int ls_limit_armed(lua_State *L);
/// Whether the armed deadline has passed or a cancel was asked for. Safe from any thread (for
/// host work running on other threads that should stop when the script must).
int ls_limit_passed(lua_State *L);
/// For host code that runs long without entering Lua (training, say): when the armed deadline
/// has passed or a cancel was asked for, trips the hook as the hook itself would and returns
/// the message to raise; otherwise NULL.
const char *ls_check_deadline(lua_State *L);
/// LS_TRIP_NONE, LS_TRIP_DEADLINE or LS_TRIP_CANCEL.
int ls_tripped(lua_State *L);
/// Asks a running script to stop at its next hook check. Safe from any thread.
void ls_cancel(lua_State *L);
/// The monotonic clock in nanoseconds.
int64_t ls_now_ns(void);

/// Caps the bytes guest code may hold (0 = no cap). Host code is never refused.
void ls_set_memory_cap(lua_State *L, size_t bytes);
size_t ls_memory_cap(lua_State *L);
/// A memory cap several states share, on top of each state's own (the workers of one
/// optimize call): their bytes together stay under it. Thread-safe.
typedef struct ls_budget ls_budget;
ls_budget *ls_budget_new(size_t cap);
void ls_budget_free(ls_budget *b);
size_t ls_budget_used(ls_budget *b);
/// Adds `delta` bytes (a negative one takes them back, never below 0) to `b`'s count.
void ls_budget_add(ls_budget *b, long long delta);
/// Counts the bytes of `held` (a budget used as a meter: its cap is ignored) against this
/// state's cap and its shared one, on top of what the states hold: native memory the host keeps
/// for the scripts outside any state (studies held in memory). NULL detaches.
void ls_attach_held(lua_State *L, ls_budget *held);
/// Counts the state's bytes (those it holds now, and from now on) against `b`.
void ls_attach_budget(lua_State *L, ls_budget *b);
void ls_detach_budget(lua_State *L);
/// What the cap leaves (SIZE_MAX without one), for host code about to allocate for the script.
size_t ls_memory_headroom(lua_State *L);
size_t ls_memory_used(lua_State *L);
size_t ls_memory_peak(lua_State *L);
/// How many allocations the cap refused since the state was made.
size_t ls_memory_denied(lua_State *L);

#endif
