/* The nesting guard's scan (see nesting.py for what it bounds and why), in C: the same model
 * in Python cost four times the parse it protects (269 ms for the corpus against 59 ms).
 *
 * One pass over the page models the HTML5 tree builder's stack of open elements and list of
 * active formatting elements, with a tokenizer close enough that no end tag hides inside an
 * attribute value, a comment or raw text. tests/nesting_model.py is the same algorithm in
 * Python, kept as the oracle of a differential test: change both together. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

enum {
    F_VOID = 1 << 0,
    F_CLOSES_P = 1 << 1,     /* a start tag closes an open <p> */
    F_CLOSES_SAME = 1 << 2,  /* a start tag closes the open element of its name */
    F_FORMATTING = 1 << 3,
    F_MARKER = 1 << 4,       /* puts a marker in the list of active formatting elements */
    F_BOUNDARY = 1 << 5,     /* end tags do not reach past it (the default scope) */
    F_FOREIGN = 1 << 6,      /* svg, math */
    F_INTEGRATION = 1 << 7,  /* HTML again inside SVG/MathML */
    F_RAW = 1 << 8,          /* raw text: no markup until its end tag */
    F_BREAKOUT = 1 << 9,     /* in SVG/MathML, leaves foreign content */
    F_KEEP = 1 << 10,        /* links: never dropped */
    F_KEPT = 1 << 11,        /* never dropped: links, void elements, raw text, plaintext */
};
#define F_RARE_START \
    (F_RAW | F_CLOSES_P | F_CLOSES_SAME | F_FORMATTING | F_MARKER | F_BOUNDARY | F_FOREIGN | \
     F_INTEGRATION)

static const struct {
    const char *names;
    int flags;
} SETS[] = {
    {"area base basefont bgsound br col embed frame hr img input keygen link meta param source "
     "track wbr image",
     F_VOID | F_KEPT},
    {"address article aside blockquote center details dialog dir div dl fieldset figcaption "
     "figure footer header hgroup main menu nav ol p search section summary ul h1 h2 h3 h4 h5 "
     "h6 pre listing form table hr xmp plaintext",
     F_CLOSES_P},
    {"a p li dd dt option tr td th button nobr form", F_CLOSES_SAME},
    {"a b big code em font i nobr s small strike strong tt u", F_FORMATTING},
    {"applet object marquee template td th caption", F_MARKER},
    {"applet caption html table td th marquee object template", F_BOUNDARY},
    {"svg math", F_FOREIGN},
    {"foreignobject desc mi mo mn ms mtext annotation-xml", F_INTEGRATION},
    {"script style textarea title xmp iframe noembed noframes", F_RAW | F_KEPT},
    {"b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i "
     "img li listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt "
     "u ul var",
     F_BREAKOUT},
    {"a area", F_KEEP | F_KEPT},
    {"plaintext", F_KEPT},
};

/* The list keeps at most this many entries with the same tag and attributes (Noah's Ark). */
#define NOAHS_ARK 3
/* How far back the model searches the list for an entry: a page cannot make that quadratic;
 * an entry missed further back stays listed and counts as reopened: never fewer. */
#define LOOK_BACK 64

/* Known tag names: a small open-addressing table built once. */
#define KNOWN_MAX 160
#define KNOWN_NAME 16
#define KNOWN_SLOTS 512
static char known_name[KNOWN_MAX][KNOWN_NAME];
static int known_len[KNOWN_MAX];
static int known_flags[KNOWN_MAX];
static int known_count;
static int known_slot[KNOWN_SLOTS]; /* id + 1, 0 when empty */
static Py_ssize_t id_plaintext, id_p;

static uint32_t
fnv(const char *s, int n)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

/* Id of a known lowercase name, or -1. */
static int
known_id(const char *s, int n)
{
    uint32_t slot = fnv(s, n) & (KNOWN_SLOTS - 1);
    while (known_slot[slot]) {
        int id = known_slot[slot] - 1;
        if (known_len[id] == n && memcmp(known_name[id], s, n) == 0) {
            return id;
        }
        slot = (slot + 1) & (KNOWN_SLOTS - 1);
    }
    return -1;
}

static int
add_known(const char *s, int n, int flags)
{
    int id = known_id(s, n);
    if (id == -1) {
        if (known_count == KNOWN_MAX || n >= KNOWN_NAME) {
            PyErr_SetString(PyExc_RuntimeError, "nesting: known-name table too small");
            return -1;
        }
        id = known_count++;
        memcpy(known_name[id], s, n);
        known_len[id] = n;
        uint32_t slot = fnv(s, n) & (KNOWN_SLOTS - 1);
        while (known_slot[slot]) {
            slot = (slot + 1) & (KNOWN_SLOTS - 1);
        }
        known_slot[slot] = id + 1;
    }
    known_flags[id] |= flags;
    return 0;
}

static int
build_known(void)
{
    for (size_t i = 0; i < sizeof SETS / sizeof SETS[0]; i++) {
        const char *p = SETS[i].names;
        while (*p) {
            const char *end = strchr(p, ' ');
            int n = end ? (int)(end - p) : (int)strlen(p);
            if (add_known(p, n, SETS[i].flags) < 0) {
                return -1;
            }
            p += n;
            while (*p == ' ') {
                p++;
            }
        }
    }
    id_plaintext = known_id("plaintext", 9);
    id_p = known_id("p", 1);
    return 0;
}

typedef struct {
    Py_ssize_t *v;
    Py_ssize_t n, cap;
} Vec;

/* Room for one more item in the array *items of *cap items of `size` bytes, n in use. */
static int
grow(void **items, Py_ssize_t *cap, Py_ssize_t n, size_t size)
{
    if (n < *cap) {
        return 0;
    }
    Py_ssize_t more = *cap ? *cap * 2 : 64;
    void *grown = PyMem_Realloc(*items, more * size);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *items = grown;
    *cap = more;
    return 0;
}

static int
vec_push(Vec *s, Py_ssize_t x)
{
    if (grow((void **)&s->v, &s->cap, s->n, sizeof *s->v) < 0) {
        return -1;
    }
    s->v[s->n++] = x;
    return 0;
}

#define LAST(s) ((s).v[(s).n - 1])

typedef struct {
    Py_ssize_t name;
    Py_ssize_t key_start, key_len; /* the start tag's text: stands in for "same attributes" */
    uint32_t key_hash;
    Py_ssize_t depth;
} Entry;

typedef struct {
    PyObject *html;
    int kind;
    const void *data;
    Py_ssize_t len;
    Py_ssize_t max_depth, max_reopened;
    /* The stack of open elements: each one's name id, the entry it is (or -1) and the index
     * of the next element down with the same name (or -1); `top` is, per name id, the index
     * of the topmost one. */
    Vec names, owners, below, top;
    /* Stack indices of scope boundaries, SVG/MathML roots and integration points (-1 first). */
    Vec boundaries, foreign, integration;
    Vec active; /* the list of active formatting elements: entry indices, -1 a marker */
    Entry *entries;
    Py_ssize_t n_entries, cap_entries;
    Py_ssize_t reopened;
    PyObject *other_names; /* names that are not known: str -> id */
    PyObject *pieces;
    Py_ssize_t kept_from;
    int flattened;
} Model;

#define CH(m, i) PyUnicode_READ((m)->kind, (m)->data, (i))

static inline int
is_alpha(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline Py_UCS4
ascii_lower(Py_UCS4 c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static inline int
is_space(Py_UCS4 c)
{
    return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

/* Ends a tag name; also what must follow `</script` for it to be an end tag. */
static inline int
is_delimiter(Py_UCS4 c)
{
    return is_space(c) || c == '/' || c == '>';
}

static inline int
flags_of(Py_ssize_t id)
{
    return id < known_count ? known_flags[id] : 0;
}

static Py_ssize_t
find_char(Model *m, Py_UCS4 c, Py_ssize_t from)
{
    if (from >= m->len) {
        return -1;
    }
    if (m->kind == PyUnicode_1BYTE_KIND) {
        const char *base = m->data;
        const char *hit = memchr(base + from, (int)c, m->len - from);
        return hit ? hit - base : -1;
    }
    for (Py_ssize_t i = from; i < m->len; i++) {
        if (CH(m, i) == c) {
            return i;
        }
    }
    return -1;
}

/* Whether `lower` (ASCII, lowercase) is at `at`, compared ASCII-case-insensitively. */
static int
has_at(Model *m, Py_ssize_t at, const char *lower, int n)
{
    if (at + n > m->len) {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (ascii_lower(CH(m, at + i)) != (Py_UCS4)(unsigned char)lower[i]) {
            return 0;
        }
    }
    return 1;
}

/* Whether `s` is exactly at `at`. */
static int
is_at(Model *m, Py_ssize_t at, const char *s, int n)
{
    if (at + n > m->len) {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (CH(m, at + i) != (Py_UCS4)(unsigned char)s[i]) {
            return 0;
        }
    }
    return 1;
}

static Py_ssize_t
find_text(Model *m, const char *s, int n, Py_ssize_t from)
{
    for (Py_ssize_t i = find_char(m, (Py_UCS4)s[0], from); i != -1;
         i = find_char(m, (Py_UCS4)s[0], i + 1)) {
        Py_ssize_t k = 1;
        while (k < n && i + k < m->len && CH(m, i + k) == (Py_UCS4)s[k]) {
            k++;
        }
        if (k == n) {
            return i;
        }
    }
    return -1;
}

/* Name id of the tag name html[start:start+n], ASCII-lowercased as the tokenizer does. */
static Py_ssize_t
name_id(Model *m, Py_ssize_t start, Py_ssize_t n)
{
    if (n < KNOWN_NAME) {
        char lower[KNOWN_NAME];
        int ascii = 1;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 c = ascii_lower(CH(m, start + i));
            if (c > 127) {
                ascii = 0;
                break;
            }
            lower[i] = (char)c;
        }
        if (ascii) {
            int id = known_id(lower, (int)n);
            if (id != -1) {
                return id;
            }
        }
    }
    Py_UCS4 maxchar = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = CH(m, start + i);
        maxchar = c > maxchar ? c : maxchar;
    }
    PyObject *name = PyUnicode_New(n, maxchar);
    if (name == NULL) {
        return -1;
    }
    int kind = PyUnicode_KIND(name);
    void *data = PyUnicode_DATA(name);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyUnicode_WRITE(kind, data, i, ascii_lower(CH(m, start + i)));
    }
    PyObject *found = PyDict_GetItemWithError(m->other_names, name);
    Py_ssize_t id;
    if (found != NULL) {
        id = PyLong_AsSsize_t(found);
    }
    else if (PyErr_Occurred()) {
        id = -1;
    }
    else {
        id = known_count + PyDict_GET_SIZE(m->other_names);
        PyObject *value = PyLong_FromSsize_t(id);
        if (value == NULL || PyDict_SetItem(m->other_names, name, value) < 0 ||
            vec_push(&m->top, -1) < 0) {
            id = -1;
        }
        Py_XDECREF(value);
    }
    Py_DECREF(name);
    return id;
}

static inline int
is_open(Model *m, Py_ssize_t entry)
{
    Py_ssize_t depth = m->entries[entry].depth;
    return depth < m->names.n && m->owners.v[depth] == entry;
}

/* Stack index of the topmost element named `id` unless a scope boundary hides it, else -1. */
static inline Py_ssize_t
in_scope(Model *m, Py_ssize_t id)
{
    Py_ssize_t found = m->top.v[id];
    return (found != -1 && found >= LAST(m->boundaries)) ? found : -1;
}

static Py_ssize_t
push(Model *m, Py_ssize_t id, Py_ssize_t owner)
{
    Py_ssize_t depth = m->names.n;
    if (vec_push(&m->names, id) < 0 || vec_push(&m->owners, owner) < 0 ||
        vec_push(&m->below, m->top.v[id]) < 0) {
        return -1;
    }
    m->top.v[id] = depth;
    return depth;
}

static void
pop_to(Model *m, Py_ssize_t index)
{
    while (m->names.n > index) {
        Py_ssize_t id = m->names.v[--m->names.n];
        m->owners.n--;
        m->top.v[id] = m->below.v[--m->below.n];
        Py_ssize_t top = m->names.n;
        if (LAST(m->boundaries) == top) {
            m->boundaries.n--;
        }
        if (LAST(m->foreign) == top) {
            m->foreign.n--;
        }
        if (LAST(m->integration) == top) {
            m->integration.n--;
        }
        if (flags_of(id) & F_MARKER) {
            while (m->active.n > 0 && m->active.v[--m->active.n] != -1) {
            }
        }
    }
}

static void
del_active(Model *m, Py_ssize_t index)
{
    memmove(m->active.v + index, m->active.v + index + 1,
            (m->active.n - index - 1) * sizeof(Py_ssize_t));
    m->active.n--;
}

/* Index in the list of the last entry named `id` after the last marker, or -1. */
static Py_ssize_t
last_entry(Model *m, Py_ssize_t id)
{
    Py_ssize_t stop = m->active.n > LOOK_BACK ? m->active.n - LOOK_BACK : 0;
    for (Py_ssize_t i = m->active.n - 1; i >= stop; i--) {
        Py_ssize_t entry = m->active.v[i];
        if (entry == -1) {
            break;
        }
        if (m->entries[entry].name == id) {
            return i;
        }
    }
    return -1;
}

/* Reopen the entries no longer open, as text or a start tag here would. Past max_reopened,
 * set *closing to end tags that take them off the list instead. -1 on error. */
static int
reconstruct(Model *m, PyObject **closing)
{
    *closing = NULL;
    Py_ssize_t n = m->active.n, first = n;
    while (first > 0) {
        Py_ssize_t entry = m->active.v[first - 1];
        if (entry == -1 || is_open(m, entry)) {
            break;
        }
        first--;
    }
    if (first == n) {
        return 0;
    }
    m->reopened += n - first;
    if (m->reopened > m->max_reopened) {
        Py_ssize_t size = 0;
        for (Py_ssize_t i = first; i < n; i++) {
            size += known_len[m->entries[m->active.v[i]].name] + 3;
        }
        PyObject *text = PyUnicode_New(size, 127);
        if (text == NULL) {
            return -1;
        }
        char *out = (char *)PyUnicode_DATA(text);
        for (Py_ssize_t i = n - 1; i >= first; i--) {
            Py_ssize_t id = m->entries[m->active.v[i]].name;
            *out++ = '<';
            *out++ = '/';
            memcpy(out, known_name[id], known_len[id]);
            out += known_len[id];
            *out++ = '>';
        }
        m->active.n = first;
        *closing = text;
        return 0;
    }
    for (Py_ssize_t i = first; i < n; i++) {
        Py_ssize_t entry = m->active.v[i];
        Py_ssize_t depth = push(m, m->entries[entry].name, entry);
        if (depth < 0) {
            return -1;
        }
        m->entries[entry].depth = depth;
    }
    return 0;
}

static int
same_key(Model *m, const Entry *e, Py_ssize_t start, Py_ssize_t n, uint32_t hash)
{
    if (e->key_len != n || e->key_hash != hash) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (CH(m, e->key_start + i) != CH(m, start + i)) {
            return 0;
        }
    }
    return 1;
}

/* A formatting element opens: it joins the list, which keeps NOAHS_ARK alike (among its
 * last LOOK_BACK entries: keeping more only counts more reopening). */
static int
add_formatting(Model *m, Py_ssize_t id, Py_ssize_t key_start, Py_ssize_t key_len)
{
    uint32_t hash = 2166136261u;
    for (Py_ssize_t i = 0; i < key_len; i++) {
        hash = (hash ^ (uint32_t)CH(m, key_start + i)) * 16777619u;
    }
    Py_ssize_t same = 0, earliest = -1;
    Py_ssize_t stop = m->active.n > LOOK_BACK ? m->active.n - LOOK_BACK : 0;
    for (Py_ssize_t i = m->active.n - 1; i >= stop; i--) {
        Py_ssize_t entry = m->active.v[i];
        if (entry == -1) {
            break;
        }
        if (same_key(m, &m->entries[entry], key_start, key_len, hash)) {
            same++;
            earliest = i;
        }
    }
    if (same >= NOAHS_ARK) {
        del_active(m, earliest);
    }
    if (grow((void **)&m->entries, &m->cap_entries, m->n_entries, sizeof *m->entries) < 0) {
        return -1;
    }
    Py_ssize_t entry = m->n_entries++;
    Entry *e = &m->entries[entry];
    e->name = id;
    e->key_start = key_start;
    e->key_len = key_len;
    e->key_hash = hash;
    Py_ssize_t depth = push(m, id, entry);
    if (depth < 0) {
        return -1;
    }
    m->entries[entry].depth = depth;
    return vec_push(&m->active, entry);
}

/* An end tag of a formatting element; 0 when the parser does nothing more than drop it from
 * the list (it was no longer open). */
static int
end_formatting(Model *m, Py_ssize_t id)
{
    Py_ssize_t index = last_entry(m, id);
    if (index == -1) {
        return 1;
    }
    Py_ssize_t entry = m->active.v[index];
    if (!is_open(m, entry)) {
        del_active(m, index);
        return 0;
    }
    if (m->entries[entry].depth >= LAST(m->boundaries)) {
        del_active(m, index);
    }
    return 1;
}

/* Where the raw text of element `id`, starting at `pos`, ends: at its end tag. */
static Py_ssize_t
raw_text_end(Model *m, Py_ssize_t id, Py_ssize_t pos)
{
    const char *name = known_name[id];
    int n = known_len[id];
    if (strcmp(name, "script") != 0) {
        for (Py_ssize_t i = find_char(m, '<', pos); i != -1; i = find_char(m, '<', i + 1)) {
            if (i + 2 + n < m->len && CH(m, i + 1) == '/' && has_at(m, i + 2, name, n) &&
                is_delimiter(CH(m, i + 2 + n))) {
                return i;
            }
        }
        return m->len;
    }
    /* Script data, and its escaped and double-escaped states (`<!--<script>...</script>-->`). */
    enum { DATA, ESCAPED, DOUBLE_ESCAPED } state = DATA;
    Py_ssize_t i = pos;
    while (i < m->len) {
        Py_UCS4 c = CH(m, i);
        if (c == '<') {
            if (state == DATA && is_at(m, i, "<!--", 4)) {
                state = ESCAPED;
                i += 2; /* its dashes may also end it: <!--> */
                continue;
            }
            if (i + 8 < m->len && CH(m, i + 1) == '/' && has_at(m, i + 2, "script", 6) &&
                is_delimiter(CH(m, i + 8))) {
                if (state != DOUBLE_ESCAPED) {
                    return i;
                }
                state = ESCAPED;
                i += 8;
                continue;
            }
            if (state == ESCAPED && i + 7 < m->len && has_at(m, i + 1, "script", 6) &&
                is_delimiter(CH(m, i + 7))) {
                state = DOUBLE_ESCAPED;
                i += 7;
                continue;
            }
        }
        else if (c == '-' && state != DATA && i + 2 < m->len && CH(m, i + 1) == '-' &&
                 CH(m, i + 2) == '>') {
            state = DATA;
            i += 3;
            continue;
        }
        i++;
    }
    return m->len;
}

/* Keep html[kept_from:upto], then `closing` (stolen); what follows starts at `upto`. */
static int
emit(Model *m, Py_ssize_t upto, PyObject *closing)
{
    PyObject *kept = PyUnicode_Substring(m->html, m->kept_from, upto);
    int failed = kept == NULL || PyList_Append(m->pieces, kept) < 0 ||
                 (closing != NULL && PyList_Append(m->pieces, closing) < 0);
    Py_XDECREF(kept);
    Py_XDECREF(closing);
    m->kept_from = upto;
    m->flattened = 1;
    return failed ? -1 : 0;
}

/* Reopen what waits in the list; past max_reopened, insert at `at` the end tags that close
 * it instead. */
static int
reopen(Model *m, Py_ssize_t at)
{
    PyObject *closing;
    if (reconstruct(m, &closing) < 0) {
        return -1;
    }
    return closing ? emit(m, at, closing) : 0;
}

/* Past max_depth: drop the run of start tags from `pos` on (keeping the text between them),
 * so 10 MB of `<div>` is one run, not 2 million turns of the main loop. Returns where the run
 * ends, or -1 on error. */
static Py_ssize_t
drop_run(Model *m, Py_ssize_t pos)
{
    Py_ssize_t end = pos, i = pos, kind = m->kind, n_text = 0, cap = 256;
    char *text = PyMem_Malloc(kind * cap);
    if (text == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (;;) {
        Py_ssize_t lt = find_char(m, '<', i);
        if (lt == -1 || lt + 1 >= m->len || !is_alpha(CH(m, lt + 1))) {
            break;
        }
        Py_ssize_t name_end = lt + 1;
        while (name_end < m->len && !is_delimiter(CH(m, name_end))) {
            name_end++;
        }
        if (name_end < m->len && name_end - lt - 1 < KNOWN_NAME) {
            char lower[KNOWN_NAME];
            int n = (int)(name_end - lt - 1), ascii = 1;
            for (int k = 0; k < n; k++) {
                Py_UCS4 c = ascii_lower(CH(m, lt + 1 + k));
                ascii &= c <= 127;
                lower[k] = (char)c;
            }
            int id = ascii ? known_id(lower, n) : -1;
            if (id != -1 && known_flags[id] & F_KEPT) {
                break;
            }
        }
        Py_ssize_t gt = find_char(m, '>', lt + 1);
        if (gt == -1) {
            break;
        }
        if (n_text + (lt - i) > cap) {
            while (n_text + (lt - i) > cap) {
                cap *= 2;
            }
            char *grown = PyMem_Realloc(text, kind * cap);
            if (grown == NULL) {
                PyMem_Free(text);
                PyErr_NoMemory();
                return -1;
            }
            text = grown;
        }
        memcpy(text + kind * n_text, (const char *)m->data + kind * i, kind * (lt - i));
        n_text += lt - i;
        i = end = gt + 1;
    }
    PyObject *kept = PyUnicode_FromKindAndData((int)kind, text, n_text);
    PyMem_Free(text);
    if (kept == NULL || PyList_Append(m->pieces, kept) < 0) {
        Py_XDECREF(kept);
        return -1;
    }
    Py_DECREF(kept);
    return end;
}

/* The main loop; 0 or -1 on error. */
static int
scan(Model *m)
{
    Py_ssize_t pos = 0, len = m->len;
    while (pos < len) {
        Py_ssize_t start = find_char(m, '<', pos);
        if (start == -1 || start + 1 >= len) {
            break;
        }
        Py_UCS4 c = CH(m, start + 1);
        int end = 0;
        Py_ssize_t name_start;
        if (c == '!') {
            if (is_at(m, start + 2, "--", 2)) {
                Py_ssize_t close = find_text(m, "-->", 3, start + 2); /* <!--> ends too */
                pos = close == -1 ? len : close + 3;
            }
            else if (is_at(m, start + 2, "[CDATA[", 7)) {
                pos = start + 9;
                if (LAST(m->foreign) > LAST(m->integration)) { /* only SVG/MathML have CDATA */
                    Py_ssize_t close = find_text(m, "]]>", 3, pos);
                    pos = close == -1 ? len : close + 3;
                }
            }
            else {
                Py_ssize_t gt = find_char(m, '>', start + 2);
                pos = gt == -1 ? len : gt + 1;
            }
            continue;
        }
        if (c == '?' || (c == '/' && (start + 2 >= len || !is_alpha(CH(m, start + 2))))) {
            /* A bogus comment (<?...>, </ x>): it ends at the first '>'. */
            Py_ssize_t gt = find_char(m, '>', start + 2);
            pos = gt == -1 ? len : gt + 1;
            continue;
        }
        if (c == '/') {
            end = 1;
            name_start = start + 2;
        }
        else if (is_alpha(c)) {
            name_start = start + 1;
        }
        else {
            pos = start + 1;
            continue;
        }
        Py_ssize_t name_end = name_start;
        while (name_end < len) {
            Py_UCS4 d = CH(m, name_end);
            if (is_space(d) || d == '/' || d == '>') {
                break;
            }
            name_end++;
        }
        /* Attributes, their quoted values skipped whole. */
        Py_ssize_t q = name_end;
        for (;;) {
            while (q < len && CH(m, q) != '>' && CH(m, q) != '=') {
                q++;
            }
            if (q >= len || CH(m, q) != '=') {
                break;
            }
            q++;
            while (q < len && is_space(CH(m, q))) {
                q++;
            }
            if (q < len && (CH(m, q) == '"' || CH(m, q) == '\'')) {
                Py_ssize_t close = find_char(m, CH(m, q), q + 1);
                if (close != -1) {
                    q = close + 1;
                }
            }
        }
        if (q < len) {
            q++; /* the '>' */
        }
        pos = q;
        Py_ssize_t id = name_id(m, name_start, name_end - name_start);
        if (id < 0) {
            return -1;
        }
        int flags = flags_of(id);
        int in_html = LAST(m->foreign) <= LAST(m->integration);
        if (end) {
            if (flags & F_FORMATTING && in_html) {
                /* (An end tag in SVG may have emptied the stack: <b><svg></b></b>.) */
                if (m->active.n > 0 && LAST(m->active) != -1 && m->owners.n > 0 &&
                    m->entries[LAST(m->active)].name == id &&
                    LAST(m->owners) == LAST(m->active)) {
                    /* Closing the formatting element just opened, the common case (</a>). */
                    m->active.n--;
                    pop_to(m, m->names.n - 1);
                    continue;
                }
                if (!end_formatting(m, id)) {
                    continue;
                }
            }
            Py_ssize_t found = m->top.v[id];
            if (found == -1 || found < LAST(m->boundaries)) {
                continue; /* nothing of that name in scope: the parser ignores the end tag */
            }
            pop_to(m, found);
            if (m->active.n > 0 && in_html) {
                /* Text after this end tag reopens what it closed. */
                if (reopen(m, pos) < 0) {
                    return -1;
                }
            }
            continue;
        }
        if (flags & F_RARE_START || !in_html || m->active.n > 0) {
            if (flags & F_RAW && in_html) {
                pos = raw_text_end(m, id, pos);
                continue;
            }
            if (!in_html) {
                if (flags & F_BREAKOUT) {
                    pop_to(m, LAST(m->foreign));
                    in_html = 1;
                }
                else if (pos - start >= 2 && CH(m, pos - 1) == '>' && CH(m, pos - 2) == '/') {
                    continue; /* self-closing, in SVG/MathML only */
                }
            }
            if (in_html) {
                if (flags & F_CLOSES_P) {
                    Py_ssize_t index = in_scope(m, id_p);
                    if (index != -1) {
                        pop_to(m, index);
                    }
                }
                if (flags & F_CLOSES_SAME) {
                    Py_ssize_t index = in_scope(m, id);
                    if (index != -1) {
                        pop_to(m, index);
                    }
                    if (flags & F_FORMATTING) { /* a, nobr: the adoption agency takes it */
                        index = last_entry(m, id);
                        if (index != -1) {
                            del_active(m, index);
                        }
                    }
                }
                /* Void and formatting elements reopen what waits before they open. */
                if (flags & (F_VOID | F_FORMATTING) && m->active.n > 0) {
                    if (reopen(m, start) < 0) {
                        return -1;
                    }
                }
            }
        }
        if (flags & F_VOID) {
            continue;
        }
        Py_ssize_t depth = m->names.n;
        if (depth >= m->max_depth && !(flags & F_KEEP)) {
            if (emit(m, start, NULL) < 0) {
                return -1;
            }
            Py_ssize_t run_end = drop_run(m, pos);
            if (run_end < 0) {
                return -1;
            }
            pos = m->kept_from = run_end;
            continue;
        }
        if (id == id_plaintext) {
            break;
        }
        if (flags & F_FORMATTING && in_html) {
            if (add_formatting(m, id, start, pos - start) < 0) {
                return -1;
            }
        }
        else {
            if (push(m, id, -1) < 0) {
                return -1;
            }
            if (flags & F_MARKER && in_html && vec_push(&m->active, -1) < 0) {
                return -1;
            }
        }
        if (flags & F_BOUNDARY && vec_push(&m->boundaries, depth) < 0) {
            return -1;
        }
        if (flags & F_FOREIGN) {
            if (vec_push(&m->foreign, depth) < 0) {
                return -1;
            }
        }
        else if (flags & F_INTEGRATION) {
            if (vec_push(&m->integration, depth) < 0) {
                return -1;
            }
        }
        else if (in_html && m->active.n > 0) {
            /* Others reopen it inside themselves, as the text in them will (the parser does
             * it before inline elements; inside counts more when they close, never less). */
            if (reopen(m, pos) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

static PyObject *
bound(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *html;
    Py_ssize_t max_depth, max_reopened;
    if (!PyArg_ParseTuple(args, "Unn:bound", &html, &max_depth, &max_reopened)) {
        return NULL;
    }
    Model m;
    memset(&m, 0, sizeof m);
    m.html = html;
    m.kind = PyUnicode_KIND(html);
    m.data = PyUnicode_DATA(html);
    m.len = PyUnicode_GET_LENGTH(html);
    m.max_depth = max_depth;
    m.max_reopened = max_reopened;
    PyObject *result = NULL;
    m.other_names = PyDict_New();
    m.pieces = PyList_New(0);
    if (m.other_names == NULL || m.pieces == NULL) {
        goto done;
    }
    for (int i = 0; i < known_count; i++) {
        if (vec_push(&m.top, -1) < 0) {
            goto done;
        }
    }
    if (vec_push(&m.boundaries, -1) < 0 || vec_push(&m.foreign, -1) < 0 ||
        vec_push(&m.integration, -1) < 0 || scan(&m) < 0) {
        goto done;
    }
    if (!m.flattened) {
        result = Py_BuildValue("(OO)", html, Py_False);
        goto done;
    }
    if (emit(&m, m.len, NULL) < 0) {
        goto done;
    }
    PyObject *empty = PyUnicode_New(0, 0);
    PyObject *joined = empty ? PyUnicode_Join(empty, m.pieces) : NULL;
    Py_XDECREF(empty);
    if (joined != NULL) {
        result = Py_BuildValue("(NO)", joined, Py_True);
    }
done:
    Py_XDECREF(m.other_names);
    Py_XDECREF(m.pieces);
    PyMem_Free(m.names.v);
    PyMem_Free(m.owners.v);
    PyMem_Free(m.below.v);
    PyMem_Free(m.top.v);
    PyMem_Free(m.boundaries.v);
    PyMem_Free(m.foreign.v);
    PyMem_Free(m.integration.v);
    PyMem_Free(m.active.v);
    PyMem_Free(m.entries);
    return result;
}

static PyMethodDef methods[] = {
    {"bound", bound, METH_VARARGS,
     "bound(html, max_depth, max_reopened) -> (html, changed): see server.analysis.nesting."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_nesting",
    .m_doc = "The nesting guard's scan, in C.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__nesting(void)
{
    if (known_count == 0 && build_known() < 0) {
        return NULL;
    }
    return PyModule_Create(&module);
}
