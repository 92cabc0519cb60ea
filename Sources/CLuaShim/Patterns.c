/* Lua's pattern functions (string.find, match, gmatch, gsub) with the semantics of the Lua 5.4
   reference manual, §6.4.1, re-implemented so that a long match can be stopped.

   The stock matcher backtracks inside one C call: "(.-)(.-)(.-)x" against a long subject does
   polynomial work during which no Lua instruction runs, so the count hook that enforces a
   time limit (and Ctrl-C) never fires. This matcher is the same kind of backtracking matcher,
   but it counts its steps and asks the state's deadline every few thousand of them, raising
   the limit's error at the script's line. Results and error messages are those of the stock
   library; a differential test compares the two on random patterns. */

#include "Patterns.h"

#include <ctype.h>
#include <string.h>

#include "CLuaShim.h"
#include "lauxlib.h"

#define ESCAPE '%'
#define SPECIALS "^$*+?.([%-"
/* How deep match() may recurse before "pattern too complex" (the stock library's figure). */
#define MAX_DEPTH 200
/* Steps between two looks at the deadline: a look costs a clock read, a step a few ns. */
#define CHECK_EVERY 4096
/* Captures per pattern (the stock library's default). */
#ifndef LUA_MAXCAPTURES
#define LUA_MAXCAPTURES 32
#endif

enum { CAPTURE_OPEN = -1, CAPTURE_POSITION = -2 };

typedef struct {
  const char *init;
  ptrdiff_t len; /* a length, or CAPTURE_OPEN / CAPTURE_POSITION */
} capture;

typedef struct {
  lua_State *L;
  const char *subject, *subject_end;
  const char *pattern_end;
  int depth_left;
  int level; /* captures started so far */
  unsigned steps;
  capture captures[LUA_MAXCAPTURES];
} matcher;

/* Counts a step; every CHECK_EVERY steps, raises the state's pending limit if one has passed. */
static void step(matcher *m) {
  if (++m->steps % CHECK_EVERY != 0) return;
  const char *tripped = ls_check_deadline(m->L);
  if (tripped != NULL) luaL_error(m->L, "%s", tripped);
}

/* The byte at p, or 0 past the end (Lua strings end with a 0 byte, and patterns are read so). */
static unsigned char byte_at(const char *p, const char *end) { return p < end ? (unsigned char)*p : 0; }

/* Whether c is in the class named by letter (%a, %d, …; upper case for the complement); any
   other character stands for itself. */
static int in_class(int c, int letter) {
  int yes;
  switch (tolower(letter)) {
    case 'a': yes = isalpha(c); break;
    case 'c': yes = iscntrl(c); break;
    case 'd': yes = isdigit(c); break;
    case 'g': yes = isgraph(c); break;
    case 'l': yes = islower(c); break;
    case 'p': yes = ispunct(c); break;
    case 's': yes = isspace(c); break;
    case 'u': yes = isupper(c); break;
    case 'w': yes = isalnum(c); break;
    case 'x': yes = isxdigit(c); break;
    case 'z': yes = (c == 0); break; /* deprecated in the manual, still honoured by 5.4 */
    default: return letter == c;
  }
  if (isupper(letter)) yes = !yes;
  return yes != 0;
}

/* Where the single-character class starting at p ends (one past it). */
static const char *class_end(matcher *m, const char *p) {
  char c = *p++;
  if (c == ESCAPE) {
    if (p >= m->pattern_end) luaL_error(m->L, "malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (c == '[') {
    if (byte_at(p, m->pattern_end) == '^') p++;
    /* The first member is taken whatever it is, so "[]]" and "[^]]" hold a ']'. */
    do {
      if (p >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing ']')");
      if (*p++ == ESCAPE && p < m->pattern_end) p++;
    } while (byte_at(p, m->pattern_end) != ']');
    return p + 1;
  }
  return p;
}

/* Whether c is in the set [ … ] that starts at open and whose ']' is at close. */
static int in_set(int c, const char *open, const char *close) {
  int member = 1;
  const char *p = open + 1;
  if (*p == '^') {
    member = 0;
    p++;
  }
  for (; p < close; p++) {
    if (*p == ESCAPE) {
      p++;
      if (in_class(c, (unsigned char)*p)) return member;
    } else if (p + 2 < close && p[1] == '-') {
      if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return member;
      p += 2;
    } else if ((unsigned char)*p == c) {
      return member;
    }
  }
  return !member;
}

/* Whether the subject character at s matches the class [p, class_end). */
static int single_match(matcher *m, const char *s, const char *p, const char *end) {
  if (s >= m->subject_end) return 0;
  int c = (unsigned char)*s;
  switch (*p) {
    case '.': return 1;
    case ESCAPE: return in_class(c, (unsigned char)p[1]);
    case '[': return in_set(c, p, end - 1);
    default: return (unsigned char)*p == c;
  }
}

static const char *match(matcher *m, const char *s, const char *p);

/* %bxy: a balanced run from x to its matching y. */
static const char *match_balance(matcher *m, const char *s, const char *p) {
  if (p + 1 >= m->pattern_end) luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
  if (s >= m->subject_end || *s != p[0]) return NULL;
  char open = p[0], close = p[1];
  int depth = 1;
  while (++s < m->subject_end) {
    step(m);
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      depth++;
    }
  }
  return NULL;
}

/* Longest first: as many repetitions as match, then fewer until the rest matches. */
static const char *expand_greedy(matcher *m, const char *s, const char *p, const char *end) {
  ptrdiff_t count = 0;
  while (single_match(m, s + count, p, end)) {
    count++;
    step(m);
  }
  for (; count >= 0; count--) {
    const char *rest = match(m, s + count, end + 1);
    if (rest != NULL) return rest;
  }
  return NULL;
}

/* Shortest first: the rest is tried after each repetition. */
static const char *expand_lazy(matcher *m, const char *s, const char *p, const char *end) {
  for (;;) {
    const char *rest = match(m, s, end + 1);
    if (rest != NULL) return rest;
    if (!single_match(m, s, p, end)) return NULL;
    s++;
  }
}

static const char *open_capture(matcher *m, const char *s, const char *p, ptrdiff_t what) {
  if (m->level >= LUA_MAXCAPTURES) luaL_error(m->L, "too many captures");
  m->captures[m->level].init = s;
  m->captures[m->level].len = what;
  m->level++;
  const char *rest = match(m, s, p);
  if (rest == NULL) m->level--;
  return rest;
}

static const char *close_capture(matcher *m, const char *s, const char *p) {
  int open = m->level - 1;
  while (open >= 0 && m->captures[open].len != CAPTURE_OPEN) open--;
  if (open < 0) luaL_error(m->L, "invalid pattern capture");
  m->captures[open].len = s - m->captures[open].init;
  const char *rest = match(m, s, p);
  if (rest == NULL) m->captures[open].len = CAPTURE_OPEN;
  return rest;
}

/* %1 … %9: the text of an earlier, closed capture again. */
static const char *match_back_reference(matcher *m, const char *s, int digit) {
  int index = digit - '1';
  if (index < 0 || index >= m->level || m->captures[index].len == CAPTURE_OPEN)
    luaL_error(m->L, "invalid capture index %%%d", index + 1);
  size_t len = (size_t)m->captures[index].len;
  if ((size_t)(m->subject_end - s) >= len && memcmp(m->captures[index].init, s, len) == 0) return s + len;
  return NULL;
}

/* Matches the pattern from p against the subject from s; returns where the match ends, or NULL.
   Single-character items without a quantifier loop here; everything that may backtrack
   recurses. */
static const char *match(matcher *m, const char *s, const char *p) {
  if (m->depth_left-- == 0) luaL_error(m->L, "pattern too complex");
  for (;;) {
    step(m);
    if (p >= m->pattern_end) break;
    switch (*p) {
      case '(':
        if (byte_at(p + 1, m->pattern_end) == ')')
          s = open_capture(m, s, p + 2, CAPTURE_POSITION);
        else
          s = open_capture(m, s, p + 1, CAPTURE_OPEN);
        goto done;
      case ')':
        s = close_capture(m, s, p + 1);
        goto done;
      case '$':
        if (p + 1 == m->pattern_end) {
          if (s != m->subject_end) s = NULL;
          goto done;
        }
        break; /* a '$' elsewhere is an ordinary character */
      case ESCAPE: {
        unsigned char next = byte_at(p + 1, m->pattern_end);
        if (next == 'b') {
          s = match_balance(m, s, p + 2);
          if (s == NULL) goto done;
          p += 4;
          continue;
        }
        if (next == 'f') {
          p += 2;
          if (byte_at(p, m->pattern_end) != '[') luaL_error(m->L, "missing '[' after '%%f' in pattern");
          const char *end = class_end(m, p);
          int before = s == m->subject ? 0 : (unsigned char)s[-1];
          int here = byte_at(s, m->subject_end);
          if (!in_set(before, p, end - 1) && in_set(here, p, end - 1)) {
            p = end;
            continue;
          }
          s = NULL;
          goto done;
        }
        if (isdigit(next)) {
          s = match_back_reference(m, s, next);
          if (s == NULL) goto done;
          p += 2;
          continue;
        }
        break;
      }
      default:
        break;
    }
    /* One class, perhaps followed by a quantifier. */
    const char *end = class_end(m, p);
    unsigned char quantifier = byte_at(end, m->pattern_end);
    if (!single_match(m, s, p, end)) {
      if (quantifier == '*' || quantifier == '?' || quantifier == '-') {
        p = end + 1; /* zero repetitions are allowed */
        continue;
      }
      s = NULL;
      goto done;
    }
    switch (quantifier) {
      case '?': {
        const char *rest = match(m, s + 1, end + 1);
        if (rest != NULL) {
          s = rest;
          goto done;
        }
        p = end + 1;
        continue;
      }
      case '+': s = expand_greedy(m, s + 1, p, end); goto done;
      case '*': s = expand_greedy(m, s, p, end); goto done;
      case '-': s = expand_lazy(m, s, p, end); goto done;
      default:
        s++;
        p = end;
        continue;
    }
  }
done:
  m->depth_left++;
  return s;
}

static void matcher_init(matcher *m, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
  m->L = L;
  m->subject = s;
  m->subject_end = s + ls;
  m->pattern_end = p + lp;
  m->steps = 0;
}

static void matcher_reset(matcher *m) {
  m->level = 0;
  m->depth_left = MAX_DEPTH;
}

/* Capture i of a match [s, e): its length, with *text set; or CAPTURE_POSITION with the
   position pushed. Capture 0 of a pattern without captures is the whole match. */
static ptrdiff_t capture_at(matcher *m, int i, const char *s, const char *e, const char **text) {
  if (i >= m->level) {
    if (i != 0) luaL_error(m->L, "invalid capture index %%%d", i + 1);
    *text = s;
    return e - s;
  }
  ptrdiff_t len = m->captures[i].len;
  *text = m->captures[i].init;
  if (len == CAPTURE_OPEN) luaL_error(m->L, "unfinished capture");
  if (len == CAPTURE_POSITION) lua_pushinteger(m->L, (m->captures[i].init - m->subject) + 1);
  return len;
}

static void push_capture(matcher *m, int i, const char *s, const char *e) {
  const char *text;
  ptrdiff_t len = capture_at(m, i, s, e, &text);
  if (len != CAPTURE_POSITION) lua_pushlstring(m->L, text, (size_t)len);
}

/* Pushes a match's captures (or, with none, the whole match when s is given); returns how many. */
static int push_captures(matcher *m, const char *s, const char *e) {
  int count = (m->level == 0 && s != NULL) ? 1 : m->level;
  luaL_checkstack(m->L, count, "too many captures");
  for (int i = 0; i < count; i++) push_capture(m, i, s, e);
  return count;
}

/* A 1-based, possibly negative, start position as a 0-based offset (clamped to [0, len]+). */
static size_t start_offset(lua_Integer position, size_t len) {
  if (position > 0) return (size_t)position - 1;
  if (position == 0) return 0;
  if (position < -(lua_Integer)len) return 0;
  return (size_t)((lua_Integer)len + position);
}

static int has_specials(const char *p, size_t lp) {
  for (size_t i = 0; i < lp; i++)
    if (p[i] != 0 && strchr(SPECIALS, p[i]) != NULL) return 1;
  return 0;
}

static const char *find_plain(const char *s, size_t ls, const char *p, size_t lp) {
  if (lp == 0) return s;
  if (lp > ls) return NULL;
  const char *last = s + (ls - lp);
  for (const char *at = s; at <= last; at++) {
    at = memchr(at, *p, (size_t)(last - at) + 1);
    if (at == NULL) return NULL;
    if (memcmp(at + 1, p + 1, lp - 1) == 0) return at;
  }
  return NULL;
}

static int find_or_match(lua_State *L, int find) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  if (find && (lua_toboolean(L, 4) || !has_specials(p, lp))) {
    const char *at = find_plain(s + init, ls - init, p, lp);
    if (at == NULL) {
      luaL_pushfail(L);
      return 1;
    }
    lua_pushinteger(L, (at - s) + 1);
    lua_pushinteger(L, (lua_Integer)((at - s) + lp));
    return 2;
  }
  int anchored = lp > 0 && *p == '^';
  if (anchored) {
    p++;
    lp--;
  }
  matcher m;
  matcher_init(&m, L, s, ls, p, lp);
  const char *from = s + init;
  do {
    matcher_reset(&m);
    const char *e = match(&m, from, p);
    if (e != NULL) {
      if (!find) return push_captures(&m, from, e);
      lua_pushinteger(L, (from - s) + 1);
      lua_pushinteger(L, e - s);
      return push_captures(&m, NULL, NULL) + 2;
    }
  } while (from++ < m.subject_end && !anchored);
  luaL_pushfail(L);
  return 1;
}

static int pattern_find(lua_State *L) { return find_or_match(L, 1); }
static int pattern_match(lua_State *L) { return find_or_match(L, 0); }

/* gmatch's iterator state: a full userdata kept as an upvalue beside the subject and pattern
   (which keep the pointers below valid). */
typedef struct {
  const char *from;
  const char *last_end; /* where the last match ended: an empty match there is skipped */
  const char *pattern;
  matcher m;
} iteration;

static int gmatch_next(lua_State *L) {
  iteration *it = (iteration *)lua_touserdata(L, lua_upvalueindex(3));
  it->m.L = L; /* the iterator may be called from another coroutine than the one that made it */
  for (const char *from = it->from; from <= it->m.subject_end; from++) {
    matcher_reset(&it->m);
    const char *e = match(&it->m, from, it->pattern);
    if (e != NULL && e != it->last_end) {
      it->from = it->last_end = e;
      return push_captures(&it->m, from, e);
    }
  }
  return 0;
}

static int pattern_gmatch(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
  if (init > ls) init = ls + 1; /* past the end: no match at all */
  lua_settop(L, 2);
  iteration *it = (iteration *)lua_newuserdatauv(L, sizeof(iteration), 0);
  matcher_init(&it->m, L, s, ls, p, lp);
  it->from = s + init;
  it->last_end = NULL;
  it->pattern = p;
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

/* Appends the replacement string (argument 3) for the match [s, e), with %0-%9 and %%. */
static void add_template(matcher *m, luaL_Buffer *b, const char *s, const char *e) {
  lua_State *L = m->L;
  size_t len;
  const char *text = lua_tolstring(L, 3, &len);
  const char *end = text + len;
  for (;;) {
    const char *escape = memchr(text, ESCAPE, (size_t)(end - text));
    if (escape == NULL) break;
    luaL_addlstring(b, text, (size_t)(escape - text));
    unsigned char next = byte_at(escape + 1, end);
    if (next == ESCAPE) {
      luaL_addchar(b, ESCAPE);
    } else if (next == '0') {
      luaL_addlstring(b, s, (size_t)(e - s));
    } else if (isdigit(next)) {
      const char *capture_text;
      ptrdiff_t capture_len = capture_at(m, next - '1', s, e, &capture_text);
      if (capture_len == CAPTURE_POSITION)
        luaL_addvalue(b); /* the position capture_at pushed */
      else
        luaL_addlstring(b, capture_text, (size_t)capture_len);
    } else {
      luaL_error(L, "invalid use of '%c' in replacement string", ESCAPE);
    }
    text = escape + 2;
  }
  luaL_addlstring(b, text, (size_t)(end - text));
}

/* Appends the replacement for the match [s, e); returns whether the text changed (a false or
   nil from a table or function keeps the match as it was). */
static int add_replacement(matcher *m, luaL_Buffer *b, const char *s, const char *e, int kind) {
  lua_State *L = m->L;
  if (kind == LUA_TFUNCTION) {
    lua_pushvalue(L, 3);
    int count = push_captures(m, s, e);
    lua_call(L, count, 1);
  } else if (kind == LUA_TTABLE) {
    push_capture(m, 0, s, e);
    lua_gettable(L, 3);
  } else {
    add_template(m, b, s, e);
    return 1;
  }
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    luaL_addlstring(b, s, (size_t)(e - s));
    return 0;
  }
  if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  luaL_addvalue(b);
  return 1;
}

static int pattern_gsub(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  int kind = lua_type(L, 3);
  lua_Integer limit = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
  luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
                   "string/function/table");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  int anchored = lp > 0 && *p == '^';
  if (anchored) {
    p++;
    lp--;
  }
  matcher m;
  matcher_init(&m, L, s, ls, p, lp);
  const char *from = s, *last_end = NULL;
  lua_Integer count = 0;
  int changed = 0;
  while (count < limit) {
    matcher_reset(&m);
    const char *e = match(&m, from, p);
    if (e != NULL && e != last_end) {
      count++;
      changed |= add_replacement(&m, &b, from, e, kind);
      from = last_end = e;
    } else if (from < m.subject_end) {
      luaL_addchar(&b, *from++);
    } else {
      break;
    }
    if (anchored) break;
  }
  if (!changed) {
    lua_pushvalue(L, 1);
  } else {
    luaL_addlstring(&b, from, (size_t)(m.subject_end - from));
    luaL_pushresult(&b);
  }
  lua_pushinteger(L, count);
  return 2;
}

void ls_open_patterns(lua_State *L) {
  static const luaL_Reg functions[] = {
    {"find", pattern_find}, {"match", pattern_match}, {"gmatch", pattern_gmatch}, {"gsub", pattern_gsub},
    {NULL, NULL},
  };
  if (lua_getglobal(L, LUA_STRLIBNAME) == LUA_TTABLE) luaL_setfuncs(L, functions, 0);
  lua_pop(L, 1);
}
