/*
 * prov_int.h — what the files of lib/provenance share and nothing else
 * needs: the task status names of the bundle format.
 */
#ifndef DECC_PROV_INT_H
#define DECC_PROV_INT_H

/* "UNSET" … "FAILED", "UNKNOWN" past the end. Static. */
const char *decc__prov_status_name(unsigned s);

#endif
