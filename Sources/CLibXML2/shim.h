#pragma once
// libxml2 includes the system ICU's headers when LIBXML_ICU_ENABLED is set; Foundation on Linux
// carries its own ICU, and the two clash (UErrorCode defined twice) in any module that sees both.
// Storyline only calls the HTML parser and the tree API, which never touch ICU, so the shim
// leaves ICU out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

/* libxml2's `xmlFree` is a global function pointer (a variable): called through this function,
   Swift code reads no shared mutable state. */
static inline void storyline_xml_free(void *p) { xmlFree(p); }
