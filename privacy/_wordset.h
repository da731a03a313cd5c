/* The word tables of the compiled twins: open addressing over FNV-1a, one table may merge
 * several word sets (a flag bit per set), so that one probe answers "in which of them?".
 *
 * Built once from Python iterables (configure() of each twin): items are bytes, or str of which
 * only the ASCII ones are kept (the twins read ASCII texts; no other entry can match).
 * Header-only: each extension that includes it gets its own static copy.
 */
#ifndef LOOPLINE_WORDSET_H
#define LOOPLINE_WORDSET_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint64_t *hashes;
    char **words;
    Py_ssize_t *lengths;
    unsigned char *flags; /* which of the sets merged into this table hold the word */
    size_t mask; /* capacity - 1, capacity a power of two; 0: empty table */
} WordSet;

static inline uint64_t fnv1a(const char *s, Py_ssize_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h | 1; /* 0 marks an empty slot */
}

static void wordset_free(WordSet *set)
{
    if (set->words != NULL) {
        for (size_t i = 0; i <= set->mask; i++)
            PyMem_Free(set->words[i]);
    }
    PyMem_Free(set->hashes);
    PyMem_Free(set->words);
    PyMem_Free(set->lengths);
    PyMem_Free(set->flags);
    memset(set, 0, sizeof(*set));
}

/* Fill ``set`` from ``count`` iterables of words (bytes, or str: ASCII ones kept), the words of iterable k flagged ``flags[k]``. */
static int wordset_build(WordSet *set, PyObject *const *iterables, const unsigned char *flags, int count)
{
    PyObject *lists[8] = {NULL};
    Py_ssize_t total = 0;
    WordSet fresh = {0};
    if (count > 8) {
        PyErr_SetString(PyExc_ValueError, "wordset_build: at most 8 sets");
        return -1;
    }
    for (int k = 0; k < count; k++) {
        if ((lists[k] = PySequence_List(iterables[k])) == NULL)
            goto error;
        total += PyList_GET_SIZE(lists[k]);
    }
    size_t capacity = 8;
    while (capacity < (size_t)(2 * total + 1))
        capacity <<= 1;
    fresh.hashes = PyMem_Calloc(capacity, sizeof(uint64_t));
    fresh.words = PyMem_Calloc(capacity, sizeof(char *));
    fresh.lengths = PyMem_Calloc(capacity, sizeof(Py_ssize_t));
    fresh.flags = PyMem_Calloc(capacity, 1);
    fresh.mask = capacity - 1;
    if (fresh.hashes == NULL || fresh.words == NULL || fresh.lengths == NULL || fresh.flags == NULL) {
        PyErr_NoMemory();
        goto error;
    }
    for (int k = 0; k < count; k++) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(lists[k]); i++) {
            PyObject *item = PyList_GET_ITEM(lists[k], i);
            const char *data;
            Py_ssize_t len;
            if (PyUnicode_Check(item)) {
                if (!PyUnicode_IS_ASCII(item))
                    continue; /* never matches an ASCII text */
                data = (const char *)PyUnicode_DATA(item);
                len = PyUnicode_GET_LENGTH(item);
            } else if (PyBytes_AsStringAndSize(item, (char **)&data, &len) < 0) {
                goto error;
            }
            uint64_t h = fnv1a(data, len);
            size_t slot = (size_t)h & fresh.mask;
            while (fresh.hashes[slot] != 0 &&
                   !(fresh.hashes[slot] == h && fresh.lengths[slot] == len &&
                     memcmp(fresh.words[slot], data, (size_t)len) == 0))
                slot = (slot + 1) & fresh.mask;
            if (fresh.hashes[slot] == 0) {
                char *copy = PyMem_Malloc((size_t)len + 1);
                if (copy == NULL) {
                    PyErr_NoMemory();
                    goto error;
                }
                memcpy(copy, data, (size_t)len);
                copy[len] = '\0';
                fresh.hashes[slot] = h;
                fresh.words[slot] = copy;
                fresh.lengths[slot] = len;
            }
            fresh.flags[slot] |= flags[k];
        }
    }
    for (int k = 0; k < count; k++)
        Py_DECREF(lists[k]);
    wordset_free(set);
    *set = fresh;
    return 0;
error:
    for (int k = 0; k < count; k++)
        Py_XDECREF(lists[k]);
    wordset_free(&fresh);
    return -1;
}

/* The flags of the word ``s[:n]`` (hash ``h``) in ``set``; 0: in none of its sets. */
static inline unsigned char wordset_flags(const WordSet *set, const char *s, Py_ssize_t n, uint64_t h)
{
    if (set->hashes == NULL)
        return 0;
    size_t slot = (size_t)h & set->mask;
    while (set->hashes[slot] != 0) {
        if (set->hashes[slot] == h && set->lengths[slot] == n &&
            memcmp(set->words[slot], s, (size_t)n) == 0)
            return set->flags[slot];
        slot = (slot + 1) & set->mask;
    }
    return 0;
}


static inline int wordset_has(const WordSet *set, const char *s, Py_ssize_t n)
{
    return wordset_flags(set, s, n, fnv1a(s, n)) != 0;
}

#endif
