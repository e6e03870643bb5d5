/*
 * node_receipts.h — the node's receipt routes (node_receipts.c), mounted
 * with the SMS role: the owner reads a dataset's receipts with a signed
 * challenge, and grant policies are presented to the SMS (and the market).
 */
#ifndef DECC_NODE_RECEIPTS_H
#define DECC_NODE_RECEIPTS_H

#include "decc/node.h"

/* Mounts GET /receipts/signer, GET /receipts/{dataset}, POST
 * /receipts/policies (needs n->sms). Returns: DECC_OK; the store's or the
 * server's errors. */
decc_status decc__node_receipts_mount(decc_node *n, decc_err *err);
/* Frees what mount allocated (NULL-safe; after the HTTP server is gone). */
void decc__node_receipts_free(decc_node *n);

#endif
