/* Compiled fast path of the HJ 212 codec and of the gateway's per-frame work.
 *
 * Every function here handles only the common, well-formed case and returns None for
 * anything else, so that the pure-Python code (the reference, in frame.py, stream.py,
 * checksum.py and ingest/pipeline.py) runs instead and produces the exact typed errors,
 * warnings and notes. Results are identical to the Python path by construction: each
 * function below names the Python code it mirrors and the conditions under which it
 * declines. Nothing here raises for bad input; errors are only MemoryError and the like.
 *
 * Why C: a gateway worker decodes 5,000 frames a second on one core; the byte loops
 * (checksum, splitting the data segment) and the per-item object handling cost ~40 us a
 * frame in Python and ~3 us here.
 *
 * References: HJ 212-2017 §6.2 (frame layout), §6.3 (data segment), Annex A (checksum).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <string.h>

/* Longest data segment taken without a warning (HJ 212-2017 §6.2; frame.STANDARD_MAX_SEGMENT). */
#define STANDARD_MAX_SEGMENT 1024
/* Data-area items per frame handled on the C stack; frames with more go through the heap. */
#define STACK_ITEMS 64

/* ------------------------------------------------------------------ Annex A checksum */

/* The CRC-16/ARC byte table (reflected polynomial 0xA001): entry b is the register after the
 * eight shift/XOR steps of Annex A applied to b. */
static uint16_t crc_table[256];

static void
init_crc_table(void)
{
    for (unsigned byte = 0; byte < 256; byte++) {
        unsigned reg = byte;
        for (int bit = 0; bit < 8; bit++)
            reg = (reg & 1) ? (reg >> 1) ^ 0xA001 : reg >> 1;
        crc_table[byte] = (uint16_t)reg;
    }
}

/* HJ 212-2017 Annex A: reg = 0xFFFF; per byte reg = (reg >> 8) ^ b, then eight times
 * "shift right, XOR 0xA001 if a 1 fell out". (reg >> 8) ^ b is below 256, so the eight
 * steps are one table lookup. */
static unsigned
annex_a_of(const unsigned char *data, Py_ssize_t size)
{
    unsigned reg = 0xFFFF;
    for (Py_ssize_t i = 0; i < size; i++)
        reg = crc_table[(reg >> 8) ^ data[i]];
    return reg;
}

PyDoc_STRVAR(annex_a_doc,
"annex_a(data) -> int\n\n"
"The HJ 212-2017 Annex A checksum of a bytes-like object (as checksum.annex_a).");

static PyObject *
sp_annex_a(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    unsigned value = annex_a_of((const unsigned char *)view.buf, view.len);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(value);
}

/* ------------------------------------------------------------------ small helpers */

/* The length guard as a C long: 1, or 0 (no error set) when it is not an int that fits, in
 * which case the caller declines and the Python code compares it as it is. */
static int
guard_of(PyObject *value, long *guard)
{
    if (!PyLong_CheckExact(value)) return 0;
    *guard = PyLong_AsLong(value);
    if (*guard == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

static inline int
hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* The 4 hex digits at p as a number, or -1 (frame._CHECKSUM: [0-9A-Fa-f]{4}). */
static inline long
four_hex(const unsigned char *p)
{
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_value(p[i]);
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

/* The 4 decimal digits at p as a number, or -1 (bytes.isdigit(): ASCII digits only). */
static inline long
four_digits(const unsigned char *p)
{
    long value = 0;
    for (int i = 0; i < 4; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        value = value * 10 + (p[i] - '0');
    }
    return value;
}

/* A str of printable ASCII bytes. Strings of 0 or 1 characters come from CPython's cached
 * singletons, so a data flag "N" is one shared object (and pickles as a memo reference). */
static PyObject *
ascii_str(const unsigned char *p, Py_ssize_t n)
{
    if (n <= 1)
        return PyUnicode_FromStringAndSize((const char *)p, n);
    PyObject *s = PyUnicode_New(n, 127);
    if (s == NULL) return NULL;
    memcpy(PyUnicode_1BYTE_DATA(s), p, (size_t)n);
    return s;
}

/* A 2-tuple (key, value), stealing both references (either may be NULL after a failure). */
static PyObject *
pair(PyObject *key, PyObject *value)
{
    if (key == NULL || value == NULL) {
        Py_XDECREF(key);
        Py_XDECREF(value);
        return NULL;
    }
    PyObject *t = PyTuple_New(2);
    if (t == NULL) {
        Py_DECREF(key);
        Py_DECREF(value);
        return NULL;
    }
    PyTuple_SET_ITEM(t, 0, key);
    PyTuple_SET_ITEM(t, 1, value);
    return t;
}

/* ------------------------------------------------------------------ parse_strict */

/* The header field names, spelled as frame.HEADER_KEYS canonicalises them. */
static const char *const header_names[] = {"QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO"};
#define N_HEADER_NAMES 8
#define FLAG_INDEX 5
static PyObject *header_strs[N_HEADER_NAMES];

/* Index of the canonical header name p[0:n] in header_names, or -1. */
static int
header_index(const unsigned char *p, Py_ssize_t n)
{
    for (int i = 0; i < N_HEADER_NAMES; i++) {
        const char *name = header_names[i];
        if ((Py_ssize_t)strlen(name) == n && memcmp(p, name, (size_t)n) == 0)
            return i;
    }
    return -1;
}

/* Split "k=v;k=v;..." (the header, before "CP=&&") as frame._header_items does when the
 * segment holds no whitespace, building the header tuple and the fields dict. Returns 1 on
 * success, 0 to decline (a field the Python path reports, warns about or keeps as unknown),
 * -1 on a Python error. ``flag`` receives the Flag value, or -1 without a Flag field. */
static int
split_header(const unsigned char *p, Py_ssize_t n, PyObject **header_out, PyObject **fields_out, long *flag)
{
    PyObject *items[N_HEADER_NAMES];
    int count = 0, seen = 0;
    PyObject *fields = NULL, *header = NULL;
    *flag = -1;
    Py_ssize_t at = 0;
    while (at <= n) {
        const unsigned char *end = memchr(p + at, ';', (size_t)(n - at));
        Py_ssize_t stop = end ? end - p : n;
        if (stop > at) {  /* empty parts are skipped */
            const unsigned char *eq = memchr(p + at, '=', (size_t)(stop - at));
            if (eq == NULL) goto decline;  /* not key=value: MalformedSegment */
            int index = header_index(p + at, eq - (p + at));
            if (index < 0) goto decline;  /* a non-canonical or unknown name */
            if (seen & (1 << index)) goto decline;  /* twice: MalformedSegment */
            seen |= 1 << index;
            const unsigned char *value = eq + 1;
            Py_ssize_t size = stop - (value - p);
            if (index == FLAG_INDEX) {
                /* frame.parse_segment: Flag must be ASCII digits with a value 0-255. */
                long number = 0;
                if (size == 0) goto decline;
                for (Py_ssize_t i = 0; i < size; i++) {
                    if (value[i] < '0' || value[i] > '9') goto decline;
                    number = number * 10 + (value[i] - '0');
                    if (number > 255) goto decline;
                }
                *flag = number;
            }
            PyObject *name = header_strs[index];
            Py_INCREF(name);
            PyObject *item = pair(name, ascii_str(value, size));
            if (item == NULL) goto error;
            items[count++] = item;
        }
        if (end == NULL) break;
        at = stop + 1;
    }
    header = PyTuple_New(count);
    fields = PyDict_New();
    if (header == NULL || fields == NULL) goto error;
    for (int i = 0; i < count; i++) {
        /* Frame.__post_init__: the first value of each field (here each field is there once). */
        if (PyDict_SetItem(fields, PyTuple_GET_ITEM(items[i], 0), PyTuple_GET_ITEM(items[i], 1)) < 0)
            goto error;
        PyTuple_SET_ITEM(header, i, items[i]);
        items[i] = NULL;
    }
    *header_out = header;
    *fields_out = fields;
    return 1;
decline:
    for (int i = 0; i < count; i++) Py_XDECREF(items[i]);
    return 0;
error:
    for (int i = 0; i < count; i++) Py_XDECREF(items[i]);
    Py_XDECREF(header);
    Py_XDECREF(fields);
    return -1;
}

/* Split the data area (between "CP=&&" and the last "&&") into (key, value) items as
 * frame._area_items does without whitespace: items separated by ';' or ',', empty ones
 * skipped, key before the first '='. Returns the tuple, Py_None (new reference) to decline
 * (an item that is not key=value), or NULL on a Python error. */
static PyObject *
split_area(const unsigned char *p, Py_ssize_t n)
{
    PyObject *stack[STACK_ITEMS];
    PyObject **items = stack;
    Py_ssize_t count = 0, capacity = STACK_ITEMS;
    PyObject *result = NULL;
    Py_ssize_t at = 0;
    while (at < n) {
        Py_ssize_t stop = at;
        while (stop < n && p[stop] != ';' && p[stop] != ',') stop++;
        if (stop > at) {
            const unsigned char *eq = memchr(p + at, '=', (size_t)(stop - at));
            if (eq == NULL || eq == p + at) {  /* no '=' or an empty key: MalformedSegment */
                Py_INCREF(Py_None);
                result = Py_None;
                goto done;
            }
            if (count == capacity) {
                Py_ssize_t grown = capacity * 2;
                PyObject **bigger = PyMem_Malloc(sizeof(PyObject *) * (size_t)grown);
                if (bigger == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
                memcpy(bigger, items, sizeof(PyObject *) * (size_t)count);
                if (items != stack) PyMem_Free(items);
                items = bigger;
                capacity = grown;
            }
            PyObject *item = pair(ascii_str(p + at, eq - (p + at)), ascii_str(eq + 1, stop - (eq + 1 - p)));
            if (item == NULL) goto done;
            items[count++] = item;
        }
        at = stop + 1;
    }
    result = PyTuple_New(count);
    if (result != NULL) {
        for (Py_ssize_t i = 0; i < count; i++) PyTuple_SET_ITEM(result, i, items[i]);
        count = 0;  /* the tuple owns them now */
    }
done:
    for (Py_ssize_t i = 0; i < count; i++) Py_DECREF(items[i]);
    if (items != stack) PyMem_Free(items);
    return result;
}

/* First occurrence of "CP=&&" in p[0:n] (str.find), or -1. */
static Py_ssize_t
find_cp(const unsigned char *p, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i + 5 <= n; i++) {
        if (p[i] == 'C' && memcmp(p + i, "CP=&&", 5) == 0)
            return i;
    }
    return -1;
}

PyDoc_STRVAR(parse_strict_doc,
"parse_strict(raw, length_guard) -> (header, cp, fields, flag, length) or None\n\n"
"The parts of a Frame for a frame that frame.parse_frame accepts with no warning under\n"
"either policy; None for any other input, which the Python parser then handles.\n\n"
"Taken here: ``raw`` is bytes; ``##``, 4 digits, a data segment of at most\n"
"min(length_guard, 1024) bytes, 4 hex digits, CR LF and nothing more; the Annex A checksum\n"
"matches; the segment is printable ASCII (0x21-0x7E: no whitespace to strip, nothing to\n"
"decode) and ends with ``&&``; it holds ``CP=&&`` with the data area closed after it; header\n"
"fields are key=value with canonical names (QN ST CN PW MN Flag PNUM PNO), each once; Flag,\n"
"if present, is 0-255 in digits; data-area items are key=value with a non-empty key.\n"
"``flag`` is the Flag value or None; ``fields`` maps each header name to its value.");

static PyObject *
sp_parse_strict(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "parse_strict(raw, length_guard) takes 2 arguments");
        return NULL;
    }
    PyObject *raw = args[0];
    long guard;
    if (!PyBytes_CheckExact(raw) || !guard_of(args[1], &guard)) Py_RETURN_NONE;
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(raw);
    Py_ssize_t size = PyBytes_GET_SIZE(raw);
    if (size < 12 || p[0] != '#' || p[1] != '#') Py_RETURN_NONE;
    long length = four_digits(p + 2);
    /* Over the guard: OverLong; over 1024: accepted with a warning; under 2: no room for "&&". */
    if (length < 2 || length > guard || length > STANDARD_MAX_SEGMENT || size != length + 12)
        Py_RETURN_NONE;
    const unsigned char *segment = p + 6, *tail = p + 6 + length;
    if (tail[4] != '\r' || tail[5] != '\n') Py_RETURN_NONE;
    long printed = four_hex(tail);
    if (printed < 0 || segment[length - 1] != '&' || segment[length - 2] != '&') Py_RETURN_NONE;
    for (long i = 0; i < length; i++) {
        if (segment[i] < 0x21 || segment[i] > 0x7E) Py_RETURN_NONE;
    }
    /* HJ 212-2017 Annex A; a Modbus variant or a wrong checksum is the Python path's to name. */
    if ((long)annex_a_of(segment, length) != printed) Py_RETURN_NONE;

    Py_ssize_t cp_at = find_cp(segment, length);
    /* The data area runs to the last "&&", which is the segment's end; it must close after
     * "CP=&&" (frame.parse_segment's area_end >= cp_at + 5). */
    Py_ssize_t area_end = length - 2;
    if (cp_at < 0 || area_end < cp_at + 5) Py_RETURN_NONE;

    PyObject *header = NULL, *fields = NULL;
    long flag;
    int ok = split_header(segment, cp_at, &header, &fields, &flag);
    if (ok < 0) return NULL;
    if (ok == 0) Py_RETURN_NONE;
    PyObject *cp = split_area(segment + cp_at + 5, area_end - (cp_at + 5));
    if (cp == NULL || cp == Py_None) {
        Py_DECREF(header);
        Py_DECREF(fields);
        return cp;
    }
    PyObject *flag_obj;
    if (flag < 0) {
        Py_INCREF(Py_None);
        flag_obj = Py_None;
    } else {
        flag_obj = PyLong_FromLong(flag);
    }
    PyObject *length_obj = PyLong_FromLong(length);
    if (flag_obj == NULL || length_obj == NULL) {
        Py_DECREF(header);
        Py_DECREF(fields);
        Py_DECREF(cp);
        Py_XDECREF(flag_obj);
        Py_XDECREF(length_obj);
        return NULL;
    }
    PyObject *result = PyTuple_New(5);
    if (result == NULL) {
        Py_DECREF(header);
        Py_DECREF(fields);
        Py_DECREF(cp);
        Py_DECREF(flag_obj);
        Py_DECREF(length_obj);
        return NULL;
    }
    PyTuple_SET_ITEM(result, 0, header);
    PyTuple_SET_ITEM(result, 1, cp);
    PyTuple_SET_ITEM(result, 2, fields);
    PyTuple_SET_ITEM(result, 3, flag_obj);
    PyTuple_SET_ITEM(result, 4, length_obj);
    return result;
}

/* ------------------------------------------------------------------ wrap_segment */

PyDoc_STRVAR(wrap_segment_doc,
"wrap_segment(segment) -> bytes or None\n\n"
"``##LLLL<segment>CCCC\\r\\n`` with the Annex A checksum, as frame.wrap_segment; None\n"
"unless ``segment`` is bytes of at most 9999 bytes (longer is OverLong, for Python to raise).");

static PyObject *
sp_wrap_segment(PyObject *module, PyObject *segment)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!PyBytes_CheckExact(segment) || PyBytes_GET_SIZE(segment) > 9999) Py_RETURN_NONE;
    Py_ssize_t n = PyBytes_GET_SIZE(segment);
    const unsigned char *data = (const unsigned char *)PyBytes_AS_STRING(segment);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n + 12);
    if (out == NULL) return NULL;
    char *q = PyBytes_AS_STRING(out);
    q[0] = q[1] = '#';
    q[2] = (char)('0' + n / 1000);
    q[3] = (char)('0' + n / 100 % 10);
    q[4] = (char)('0' + n / 10 % 10);
    q[5] = (char)('0' + n % 10);
    memcpy(q + 6, data, (size_t)n);
    unsigned value = annex_a_of(data, n);  /* printed high byte first, upper case */
    q[6 + n] = hex[(value >> 12) & 0xF];
    q[7 + n] = hex[(value >> 8) & 0xF];
    q[8 + n] = hex[(value >> 4) & 0xF];
    q[9 + n] = hex[value & 0xF];
    q[10 + n] = '\r';
    q[11 + n] = '\n';
    return out;
}

/* ------------------------------------------------------------------ split_frames */

PyDoc_STRVAR(split_frames_doc,
"split_frames(data, length_guard) -> (frames, used)\n\n"
"The complete, well-formed frames at the start of the bytes-like ``data``, one after the\n"
"other, as bytes; ``used`` is how many bytes they span. Stops at the first place that is\n"
"not such a frame (garbage, a partial frame, a wrong length, a missing or odd tail),\n"
"where stream.FrameSplitter's Python code carries on.\n\n"
"A frame is taken when it is ``##``, 4 digits (at most length_guard), the data segment\n"
"ending in ``&&``, 4 hex digits and CR LF, and neither segment nor checksum holds a LF.\n"
"Without a LF the segment cannot hold another frame end (``&&`` + 4 hex + LF), so the\n"
"declared length is the real one and the Python splitter cuts exactly the same bytes.");

static PyObject *
sp_split_frames(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "split_frames(data, length_guard) takes 2 arguments");
        return NULL;
    }
    long guard;
    if (!guard_of(args[1], &guard)) return Py_BuildValue("([]i)", 0);  /* the Python path decides */
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0) return NULL;
    const unsigned char *buf = (const unsigned char *)view.buf;
    Py_ssize_t n = view.len, at = 0;
    PyObject *frames = PyList_New(0);
    if (frames == NULL) goto error;
    while (n - at >= 12) {
        const unsigned char *p = buf + at;
        if (p[0] != '#' || p[1] != '#') break;
        long length = four_digits(p + 2);
        if (length < 2 || length > guard || n - at < length + 12) break;
        const unsigned char *end = p + 6 + length;  /* the checksum */
        if (end[-2] != '&' || end[-1] != '&' || four_hex(end) < 0 || end[4] != '\r' || end[5] != '\n') break;
        if (memchr(p + 6, '\n', (size_t)length + 4) != NULL) break;
        PyObject *frame = PyBytes_FromStringAndSize((const char *)p, length + 12);
        if (frame == NULL || PyList_Append(frames, frame) < 0) {
            Py_XDECREF(frame);
            goto error;
        }
        Py_DECREF(frame);
        at += length + 12;
    }
    PyBuffer_Release(&view);
    PyObject *used = PyLong_FromSsize_t(at);
    if (used == NULL) {
        Py_DECREF(frames);
        return NULL;
    }
    PyObject *result = PyTuple_New(2);
    if (result == NULL) {
        Py_DECREF(frames);
        Py_DECREF(used);
        return NULL;
    }
    PyTuple_SET_ITEM(result, 0, frames);
    PyTuple_SET_ITEM(result, 1, used);
    return result;
error:
    PyBuffer_Release(&view);
    Py_XDECREF(frames);
    return NULL;
}

/* ------------------------------------------------------------------ reading_rows */

/* Fields of pipeline.StoredKey (a named tuple), by position. */
enum { SK_CODE, SK_FIELD, SK_KEY, SK_CODE_AS_SENT, SK_KNOWN, SK_NUMERIC, SK_FLAG, SK_SIZE };

PyDoc_STRVAR(reading_rows_doc,
"reading_rows(cp, stored_key_of, device_id, interval, t, received_ms) -> list or None\n\n"
"The reading rows (store.READING_COLUMNS order) of a frame's data area ``cp``, as\n"
"pipeline.Decoder._readings builds them, with ``stored_key_of`` the same key lookup; None\n"
"where that code would add a note to the outcome (a value that is not a finite number, an\n"
"unknown factor code, a factor field repeated in the frame), so that it runs instead.");

static PyObject *
sp_reading_rows(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError,
                        "reading_rows(cp, stored_key_of, device_id, interval, t, received_ms) takes 6 arguments");
        return NULL;
    }
    PyObject *cp = args[0], *lookup = args[1];
    if (!PyTuple_CheckExact(cp)) Py_RETURN_NONE;
    Py_ssize_t n = PyTuple_GET_SIZE(cp);
    PyObject *stack[STACK_ITEMS];
    PyObject **keys = n <= STACK_ITEMS ? stack : PyMem_Malloc(sizeof(PyObject *) * (size_t)n);
    if (keys == NULL) return PyErr_NoMemory();
    Py_ssize_t looked_up = 0;
    PyObject *flags = NULL, *seen = NULL, *rows = NULL, *result = NULL;

    /* Pass 1: each key's meaning, and the first -Flag of each factor. */
    flags = PyDict_New();
    if (flags == NULL) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(cp, i);
        if (!PyTuple_CheckExact(item) || PyTuple_GET_SIZE(item) != 2) goto decline;
        PyObject *sk = PyObject_CallOneArg(lookup, PyTuple_GET_ITEM(item, 0));
        if (sk == NULL) goto decline;  /* the Python path meets (and reports) the same error */
        keys[looked_up++] = sk;
        if (sk == Py_None) continue;
        if (!PyTuple_Check(sk) || PyTuple_GET_SIZE(sk) != SK_SIZE) goto decline;
        int is_flag = PyObject_IsTrue(PyTuple_GET_ITEM(sk, SK_FLAG));
        if (is_flag < 0) goto decline;
        if (is_flag && PyDict_SetDefault(flags, PyTuple_GET_ITEM(sk, SK_CODE), PyTuple_GET_ITEM(item, 1)) == NULL)
            goto decline;  /* e.g. an unhashable code: the Python path raises it */
    }

    /* Pass 2: one row per numeric field, in data-area order. */
    seen = PySet_New(NULL);
    rows = PyList_New(0);
    if (seen == NULL || rows == NULL) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *sk = keys[i];
        if (sk == Py_None) continue;
        int is_flag = PyObject_IsTrue(PyTuple_GET_ITEM(sk, SK_FLAG));
        int numeric = PyObject_IsTrue(PyTuple_GET_ITEM(sk, SK_NUMERIC));
        if (is_flag < 0 || numeric < 0) goto decline;
        if (is_flag || !numeric) continue;
        PyObject *text = PyTuple_GET_ITEM(PyTuple_GET_ITEM(cp, i), 1);
        if (!PyUnicode_CheckExact(text)) goto decline;  /* float() of anything else may differ */
        /* frame.parse_number: float(text), finite only; a refusal is a note: decline. */
        PyObject *number = PyFloat_FromString(text);
        if (number == NULL) goto decline;
        if (!isfinite(PyFloat_AS_DOUBLE(number))) {
            Py_DECREF(number);
            goto decline;
        }
        int known = PyObject_IsTrue(PyTuple_GET_ITEM(sk, SK_KNOWN));
        PyObject *key = PyTuple_GET_ITEM(sk, SK_KEY);
        int repeated = known > 0 ? PySet_Contains(seen, key) : -1;
        if (known <= 0 || repeated != 0 || !PyTuple_Check(key) || PyTuple_GET_SIZE(key) != 2
                || PySet_Add(seen, key) < 0) {
            Py_DECREF(number);
            goto decline;  /* unknown code or repeated field: notes */
        }
        /* flag[:4] if flag else None */
        PyObject *flag = PyDict_GetItemWithError(flags, PyTuple_GET_ITEM(sk, SK_CODE));
        if (flag == NULL && PyErr_Occurred()) {
            Py_DECREF(number);
            goto decline;
        }
        if (flag != NULL) {
            int truthy = PyObject_IsTrue(flag);
            if (truthy < 0) {
                Py_DECREF(number);
                goto decline;
            }
            if (!truthy) {
                flag = Py_None;
                Py_INCREF(flag);
            } else if (PyUnicode_CheckExact(flag) && PyUnicode_GET_LENGTH(flag) <= 4) {
                Py_INCREF(flag);  /* str[:4] of a short str is the str itself */
            } else {
                flag = PySequence_GetSlice(flag, 0, 4);
                if (flag == NULL) {
                    Py_DECREF(number);
                    goto decline;
                }
            }
        } else {
            flag = Py_None;
            Py_INCREF(flag);
        }
        PyObject *row = PyTuple_New(9);
        if (row == NULL) {
            Py_DECREF(number);
            Py_DECREF(flag);
            goto done;
        }
        PyObject *parts[9] = {args[2], args[3], args[4], PyTuple_GET_ITEM(key, 0), PyTuple_GET_ITEM(key, 1),
                              NULL, NULL, PyTuple_GET_ITEM(sk, SK_CODE_AS_SENT), args[5]};
        for (int j = 0; j < 9; j++) {
            if (j == 5) {
                PyTuple_SET_ITEM(row, j, number);
            } else if (j == 6) {
                PyTuple_SET_ITEM(row, j, flag);
            } else {
                Py_INCREF(parts[j]);
                PyTuple_SET_ITEM(row, j, parts[j]);
            }
        }
        int appended = PyList_Append(rows, row);
        Py_DECREF(row);
        if (appended < 0) goto done;
    }
    result = rows;
    rows = NULL;
    goto done;
decline:
    /* Anything unusual, including an exception on the way: the Python path decides. */
    PyErr_Clear();
    Py_INCREF(Py_None);
    result = Py_None;
done:
    for (Py_ssize_t i = 0; i < looked_up; i++) Py_DECREF(keys[i]);
    if (keys != stack) PyMem_Free(keys);
    Py_XDECREF(flags);
    Py_XDECREF(seen);
    Py_XDECREF(rows);
    return result;
}

/* ------------------------------------------------------------------ module */

static PyMethodDef methods[] = {
    {"annex_a", (PyCFunction)sp_annex_a, METH_O, annex_a_doc},
    {"parse_strict", (PyCFunction)(void (*)(void))sp_parse_strict, METH_FASTCALL, parse_strict_doc},
    {"wrap_segment", (PyCFunction)sp_wrap_segment, METH_O, wrap_segment_doc},
    {"split_frames", (PyCFunction)(void (*)(void))sp_split_frames, METH_FASTCALL, split_frames_doc},
    {"reading_rows", (PyCFunction)(void (*)(void))sp_reading_rows, METH_FASTCALL, reading_rows_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    "parksteward.hj212._speedups",
    "Compiled fast path of the HJ 212 codec; each function declines (None) outside the common\n"
    "well-formed case, where the pure-Python reference runs. See parksteward.hj212.accel.",
    -1,
    methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    init_crc_table();
    for (int i = 0; i < N_HEADER_NAMES; i++) {
        if (header_strs[i] == NULL) {
            header_strs[i] = PyUnicode_InternFromString(header_names[i]);
            if (header_strs[i] == NULL) return NULL;
        }
    }
    return PyModule_Create(&module_def);
}
