/*
 * dp_protect.c — protectData, getProtectedData and transferOwnership
 * (iexec-protocol.md §3.2, §3.4, §3.3 last bullet; recipe §9 A).
 *
 * protectData streams: the zip is written, encrypted, hashed and imported
 * into the store in one pass over two threads, nothing goes to a temporary
 * file (with a local store), and a file-backed value (decc_pd_add_binary_
 * file) is never in memory, so memory stays constant whatever the size. getProtectedData answers what the DataProtector
 * subgraph answers, from the chain's DatasetSchema logs and the dataset
 * entries' current state.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/internal.h"
#include "dataprotector/dp_int.h"
#include "decc/cid.h"
#include "decc/dataset.h"
#include "decc/encoding.h"

#define EV_DATASET_SCHEMA "DatasetSchema(address,string)"

void decc_dp_protected_clear(decc_dp_protected *p) {
  if (!p)
    return;
  decc_free(p->name);
  decc_free(p->schema);
  decc_free(p->multiaddr);
  decc_free(p->zip);
  decc_memzero(p, sizeof *p);
}

decc_status decc_dp_protected_to_json(char **json, const decc_dp_protected *p,
                                      int with_key) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(p != NULL);
  char a[DECC_ADDRESS_HEX_LEN], o[DECC_ADDRESS_HEX_LEN], h[DECC_HEX32_LEN];
  json_error_t je;
  json_t *schema = p->schema ? json_loads(p->schema, 0, &je) : NULL;
  json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s}", "name",
                        p->name ? p->name : "", "address",
                        decc_address_to_hex(a, &p->address), "owner",
                        decc_address_to_hex(o, &p->owner), "schema",
                        schema ? schema : json_object(), "creationTimestamp",
                        (json_int_t)p->creation_timestamp, "transactionHash",
                        decc_hex_encode(h, p->tx_hash, 32, 1), "multiaddr",
                        p->multiaddr ? p->multiaddr : "");
  if (!j)
    return DECC_E_NOMEM;
  if (with_key && p->has_key &&
      json_object_set_new(j, "encryptionKey", json_string(p->encryption_key)) !=
          0) {
    json_decref(j);
    return DECC_E_NOMEM;
  }
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!s)
    return DECC_E_NOMEM;
  *json = decc_strdup(s);
  decc_memzero(s, strlen(s));
  free(s);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

/* ---- zip, encryption and upload as one stream ------------------------------ */

/* One thread writes the zip (decc_pd_serialize_stream reads file-backed
 * values straight from their files) into the encryption stream, which
 * hashes the ciphertext on a thread of its own; the ciphertext goes
 * through a socket pair to the store importer on the calling thread
 * (chunking, block hashes, block writes). So the zip and the ciphertext
 * are never written to disk, every byte is handled once per stage, the
 * stages run on both cores, and memory stays a few MiB whatever the size
 * (see docs/internals/performance.md). Without a local store the
 * ciphertext goes to a temporary file that the remote store uploads.
 * MSG_NOSIGNAL: an importer that stops early makes the writer fail instead
 * of killing the process. */
typedef struct pipe_job {
  const decc_pd *data;
  decc_pd_format fmt;
  const decc_dataset_key *key;
  int fd; /* ciphertext out: socket (send) or temporary file (write) */
  int is_sock;
  int out_failed; /* the output side broke (the reader stopped) */
  decc_buf *zip;  /* want_zip: a copy of the zip, else NULL */
  decc_dataset_stream *s;
  uint8_t checksum[32];
  decc_status st;
  decc_err err;
} pipe_job;

static decc_status sink_out(const uint8_t *data, size_t len, void *user) {
  pipe_job *j = user;
  while (len) {
    ssize_t w = j->is_sock ? send(j->fd, data, len, MSG_NOSIGNAL)
                           : write(j->fd, data, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      j->out_failed = 1;
      return decc_err_set(&j->err, DECC_E_IO, "encryption output: %s",
                          w < 0 ? strerror(errno) : "closed");
    }
    data += w;
    len -= (size_t)w;
  }
  return DECC_OK;
}

static decc_status zip_sink(void *ctx, const void *p, size_t n) {
  pipe_job *j = ctx;
  if (j->zip && decc_buf_append(j->zip, p, n) != DECC_OK)
    return decc_err_set(&j->err, DECC_E_NOMEM, "out of memory");
  return decc_dataset_stream_update(j->s, p, n, &j->err);
}

static void run_job(pipe_job *j) {
  j->st = decc_dataset_stream_create(&j->s, DECC_DATASET_ENCRYPT, j->key, NULL,
                                     sink_out, j, &j->err);
  if (!j->st)
    j->st = decc_pd_serialize_stream(j->data, j->fmt, zip_sink, j, &j->err);
  if (!j->st)
    j->st = decc_dataset_stream_final(j->s, j->checksum, &j->err);
  decc_dataset_stream_destroy(j->s);
  j->s = NULL;
}

static void *encrypt_thread(void *arg) {
  pipe_job *j = arg;
  run_job(j);
  shutdown(j->fd, SHUT_WR);
  close(j->fd);
  return NULL;
}

static decc_status
encrypt_into_store(decc_dp *dp, const decc_dp_protect_opts *o, decc_buf *zip,
                   const decc_dataset_key *key, uint8_t checksum[32],
                   decc_cid *cid, decc_err *err) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return decc_err_set(err, DECC_E_IO, "socketpair: %s", strerror(errno));
  pipe_job j;
  memset(&j, 0, sizeof j);
  j.data = o->data;
  j.fmt = o->format;
  j.key = key;
  j.fd = sv[1];
  j.is_sock = 1;
  j.zip = zip;
  pthread_t th;
  if (pthread_create(&th, NULL, encrypt_thread, &j) != 0) {
    close(sv[0]);
    close(sv[1]);
    return decc_err_set(err, DECC_E_NOMEM, "cannot start a thread");
  }
  decc_import_opts io;
  decc_import_opts_default(&io, 0);
  decc_status st = decc_store_add_fd(dp->bs, cid, NULL, &io, sv[0],
                                     "encrypted data", 1, err);
  close(sv[0]); /* unblocks the writer if the import stopped early */
  pthread_join(th, NULL);
  if (j.st && !st) {
    /* The import saw a truncated stream: drop what it pinned. */
    (void)decc_blockstore_unpin(dp->bs, cid, NULL);
    st = j.st;
    if (err)
      *err = j.err;
  } else if (j.st && !j.out_failed) {
    /* Both failed and the writer's failure was its own (a file that
     * changed, ...): that is the cause; else the import's error is. */
    st = j.st;
    if (err)
      *err = j.err;
  }
  if (!st)
    memcpy(checksum, j.checksum, 32);
  decc_memzero(&j, sizeof j);
  return st;
}

/* Without a local store: the ciphertext into enc_path (a private
 * temporary file, uploaded next). */
static decc_status encrypt_into_file(const decc_dp_protect_opts *o,
                                     decc_buf *zip, const decc_dataset_key *key,
                                     const char *enc_path, uint8_t checksum[32],
                                     decc_err *err) {
  pipe_job j;
  memset(&j, 0, sizeof j);
  j.data = o->data;
  j.fmt = o->format;
  j.key = key;
  j.zip = zip;
  j.fd = open(enc_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (j.fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", enc_path, strerror(errno));
  run_job(&j);
  if (close(j.fd) != 0 && !j.st)
    j.st = decc_err_set(&j.err, DECC_E_IO, "%s: %s", enc_path, strerror(errno));
  decc_status st = j.st;
  if (st && err)
    *err = j.err;
  if (!st)
    memcpy(checksum, j.checksum, 32);
  decc_memzero(&j, sizeof j);
  return st;
}

/* Finds the DatasetSchema log of the DataProtector in a receipt. */
static decc_status find_dataset(const decc_dp *dp, const decc_receipt *rc,
                                decc_address *dataset, decc_err *err) {
  uint8_t t0[32];
  decc_abi_event_topic(t0, EV_DATASET_SCHEMA);
  for (size_t i = 0; i < rc->n_logs; i++) {
    const decc_log *l = &rc->logs[i];
    if (l->n_topics >= 2 && !memcmp(l->topics[0], t0, 32) &&
        decc_address_eq(&l->address, &dp->addr.dataprotector)) {
      memcpy(dataset->b, l->topics[1] + 12, 20);
      return DECC_OK;
    }
  }
  return decc_err_set(err, DECC_E_PARSE,
                      "createDatasetWithSchema: no DatasetSchema event in "
                      "the receipt");
}

decc_status decc_dp_protect(decc_dp *dp, decc_dp_protected *out,
                            const decc_dp_protect_opts *o, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(o->data != NULL);
  memset(out, 0, sizeof *out);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  /* Before anything is encrypted, uploaded or pushed: a chain without the
   * contract cannot register the dataset. */
  if ((st = decc__dp_need_dataprotector(dp, err)))
    return st;
  const char *name = o->name ? o->name : "";
  if (strlen(name) > DECC_DP_NAME_MAX)
    return decc_err_set(err, DECC_E_INVALID,
                        "protectData: name longer than %d bytes",
                        DECC_DP_NAME_MAX);
  decc_dp_progress_fn pg = o->progress;
  void *u = o->user;
  char *enc_path = NULL;
  decc_buf zip;
  decc_buf_init(&zip, 0);
  decc_dataset_key *key = NULL;
  char key_b64[45] = {0};
  decc_receipt rc;
  memset(&rc, 0, sizeof rc);
  decc_buf cd;
  decc_buf_init(&cd, 0);

  decc__dp_progress(pg, u, "EXTRACT_DATA_SCHEMA", 0, NULL);
  if ((st = decc_pd_schema_json(o->data, o->format, &out->schema, NULL, err)))
    goto done;
  decc__dp_progress(pg, u, "EXTRACT_DATA_SCHEMA", 1, NULL);

  /* The zip is produced while it is encrypted and uploaded (one stream,
   * below); this step checks that it can be written. */
  decc__dp_progress(pg, u, "CREATE_ZIP_FILE", 0, NULL);
  if ((st = decc_pd_validate(o->data, o->format, NULL, err)))
    goto done;
  decc__dp_progress(pg, u, "CREATE_ZIP_FILE", 1, NULL);

  decc__dp_progress(pg, u, "CREATE_ENCRYPTION_KEY", 0, NULL);
  if ((st = decc_dataset_key_generate(&key, err)))
    goto done;
  decc__dp_progress(pg, u, "CREATE_ENCRYPTION_KEY", 1, NULL);

  decc_cid cid;
  char cidtext[DECC_CID_STR_MAX], ma[DECC_CID_STR_MAX + 8];
  uint8_t mab[128];
  size_t malen = 0;
  decc__dp_progress(pg, u, "ENCRYPT_FILE", 0, NULL);
  if (dp->bs) {
    decc__dp_progress(pg, u, "UPLOAD_ENCRYPTED_FILE", 0, NULL);
    if ((st = encrypt_into_store(dp, o, o->want_zip ? &zip : NULL, key,
                                 out->checksum, &cid, err))) {
      decc_err_prefix(err, "encrypting and storing the data");
      goto done;
    }
    decc__dp_progress(pg, u, "ENCRYPT_FILE", 1, NULL);
  } else {
    if ((st = decc__dp_tmpfile(dp, &enc_path, err)) ||
        (st = encrypt_into_file(o, o->want_zip ? &zip : NULL, key, enc_path,
                                out->checksum, err)))
      goto done;
    decc__dp_progress(pg, u, "ENCRYPT_FILE", 1, NULL);
    decc__dp_progress(pg, u, "UPLOAD_ENCRYPTED_FILE", 0, NULL);
    if ((st = decc__dp_store_add(dp, enc_path, &cid, err))) {
      decc_err_prefix(err, "upload of the encrypted file");
      goto done;
    }
    unlink(enc_path);
  }
  if (o->want_zip) {
    out->zip = decc_buf_steal(&zip, &out->zip_len);
    if (!out->zip && !(out->zip = decc_malloc(1))) {
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      goto done;
    }
  }
  if ((st = decc_cid_to_string(cidtext, sizeof cidtext, &cid))) {
    decc_err_set(err, st, "bad CID");
    goto done;
  }
  snprintf(ma, sizeof ma, "%s/%s", o->format == DECC_PD_V2 ? "/p2p" : "/ipfs",
           cidtext);
  if ((st = decc_multiaddr_from_string(mab, sizeof mab, &malen, ma, err)) ||
      !(out->multiaddr = decc_strdup(ma))) {
    if (!st)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto done;
  }
  decc__dp_progress(pg, u, "UPLOAD_ENCRYPTED_FILE", 1, cidtext);

  decc__dp_progress(pg, u, "DEPLOY_PROTECTED_DATA", 0, NULL);
  {
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_address(&e, &dp->me);
    decc_abi_enc_push_string(&e, name);
    decc_abi_enc_push_string(&e, out->schema);
    decc_abi_enc_push_bytes(&e, mab, malen);
    decc_abi_enc_push_bytes32(&e, out->checksum);
    uint8_t sel[4];
    decc_abi_selector(sel,
                      "createDatasetWithSchema(address,string,string,bytes,"
                      "bytes32)");
    st = decc_abi_enc_finish_call(&e, sel, &cd);
    decc_abi_enc_clear(&e);
    if (st) {
      decc_err_set(err, st, "createDatasetWithSchema: cannot encode");
      goto done;
    }
  }
  if ((st = decc__dp_send(dp, &dp->addr.dataprotector, &cd, &rc,
                          "createDatasetWithSchema", err)) ||
      (st = find_dataset(dp, &rc, &out->address, err)))
    goto done;
  memcpy(out->tx_hash, rc.tx_hash, 32);
  out->block_number = rc.block_number;
  out->owner = dp->me;
  if ((st = decc__dp_block_time(dp, rc.block_number, &out->creation_timestamp,
                                err)))
    goto done;
  if (!(out->name = decc_strdup(name))) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto done;
  }
  char a[DECC_ADDRESS_HEX_LEN];
  decc__dp_progress(pg, u, "DEPLOY_PROTECTED_DATA", 1,
                    decc__dp_addr(a, &out->address));

  decc__dp_progress(pg, u, "PUSH_SECRET_TO_SMS", 0, NULL);
  decc_dataset_key_encode(key_b64, key);
  if ((st = decc__dp_sms_push_web3(dp, &out->address, key_b64, 44, err))) {
    decc_err_prefix(err,
                    "protected data %s was created but its key could "
                    "not be pushed",
                    a);
    goto done;
  }
  decc__dp_progress(pg, u, "PUSH_SECRET_TO_SMS", 1, NULL);
  if (o->want_key) {
    memcpy(out->encryption_key, key_b64, 45);
    out->has_key = 1;
  }
done:
  decc_memzero(key_b64, sizeof key_b64);
  decc_dataset_key_destroy(key);
  decc_receipt_clear(&rc);
  decc_buf_clear(&cd);
  decc_buf_clear(&zip);
  if (enc_path) {
    unlink(enc_path);
    decc_free(enc_path);
  }
  if (st)
    decc_dp_protected_clear(out);
  return st;
}

/* ---- getProtectedData ------------------------------------------------------------- */

void decc_dp_pd_list_clear(decc_dp_pd_list *l) {
  if (!l)
    return;
  for (size_t i = 0; i < l->n; i++)
    decc_dp_protected_clear(&l->items[i]);
  decc_free(l->items);
  memset(l, 0, sizeof *l);
}

/* The SDK v2 accepts the legacy type names in filters. */
static int same_type(const char *want, const char *have) {
  if (!strcmp(want, have))
    return 1;
  if ((!strcmp(want, "boolean") && !strcmp(have, "bool")) ||
      (!strcmp(want, "bool") && !strcmp(have, "boolean")))
    return 1;
  if ((!strcmp(want, "number") && !strcmp(have, "f64")) ||
      (!strcmp(want, "f64") && !strcmp(have, "number")))
    return 1;
  return 0;
}

/* Every leaf of req must be matched at the same path in have. */
static int schema_matches(json_t *req, json_t *have) {
  const char *k;
  json_t *v;
  json_object_foreach(req, k, v) {
    json_t *h = json_object_get(have, k);
    if (!h)
      return 0;
    if (json_is_object(v)) {
      if (!json_is_object(h) || !schema_matches(v, h))
        return 0;
    } else if (json_is_string(v)) {
      if (!json_is_string(h) ||
          !same_type(json_string_value(v), json_string_value(h)))
        return 0;
    } else if (json_is_array(v)) {
      size_t i;
      json_t *alt;
      int any = 0;
      if (!json_is_string(h))
        return 0;
      json_array_foreach(v, i, alt) {
        if (json_is_string(alt) &&
            same_type(json_string_value(alt), json_string_value(h)))
          any = 1;
      }
      if (!any)
        return 0;
    } else
      return 0;
  }
  return 1;
}

static int valid_filter(json_t *req) {
  const char *k;
  json_t *v;
  json_object_foreach(req, k, v) {
    if (json_is_object(v)) {
      if (!valid_filter(v))
        return 0;
    } else if (json_is_array(v)) {
      size_t i;
      json_t *alt;
      if (json_array_size(v) == 0)
        return 0;
      json_array_foreach(v, i, alt) if (!json_is_string(alt)) return 0;
    } else if (!json_is_string(v))
      return 0;
  }
  return 1;
}

/* Fills the entry fields read from the dataset contract. */
static decc_status read_entry(decc_dp *dp, decc_dp_protected *p,
                              decc_err *err) {
  decc_status st;
  uint8_t *b = NULL;
  size_t n = 0;
  if ((st = decc_hub_owner_of(dp->chain, &p->address, &p->owner, err)))
    return st;
  decc_buf raw;
  decc_abi_value *v;
  if ((st = decc__dp_view_simple(dp, &p->address, "m_datasetName()", NULL,
                                 "string", &raw, &v, err)))
    return st;
  st = decc_abi_get_string(decc_abi_item(v, 0), &p->name);
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  if (st)
    return decc_err_set(err, st, "m_datasetName: bad answer");
  if ((st = decc__dp_view_bytes(dp, &p->address, "m_datasetMultiaddr()", &b, &n,
                                err)))
    return st;
  if (decc_multiaddr_to_string(&p->multiaddr, b, n, NULL) != DECC_OK) {
    /* Not an IPFS multiaddr (e.g. an Arweave URL): keep the text. */
    p->multiaddr = decc_strndup((const char *)b, n);
  }
  decc_free(b);
  if (!p->multiaddr)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if ((st = decc__dp_view_simple(dp, &p->address, "m_datasetChecksum()", NULL,
                                 "bytes32", &raw, &v, err)))
    return st;
  st = decc_abi_get_bytes32(decc_abi_item(v, 0), p->checksum);
  decc_abi_value_free(v);
  decc_buf_clear(&raw);
  return st ? decc_err_set(err, st, "m_datasetChecksum: bad answer") : DECC_OK;
}

decc_status decc_dp_get_protected_data(decc_dp *dp, decc_dp_pd_list *out,
                                       const decc_dp_pd_filter *f,
                                       decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  memset(out, 0, sizeof *out);
  decc_dp_pd_filter def;
  if (!f) {
    memset(&def, 0, sizeof def);
    f = &def;
  }
  uint32_t ps = f->page_size ? f->page_size : 1000;
  if (ps > 1000)
    return decc_err_set(err, DECC_E_INVALID,
                        "page size %u out of range (1..1000)", ps);
  json_t *req = NULL;
  if (f->required_schema) {
    json_error_t je;
    req = json_loads(f->required_schema, 0, &je);
    if (!json_is_object(req) || !valid_filter(req)) {
      json_decref(req);
      return decc_err_set(err, DECC_E_PARSE,
                          "required schema: a JSON object of types (or "
                          "arrays of types) expected");
    }
  }
  decc_status st = decc__dp_need_dataprotector(dp, err);
  if (st) {
    json_decref(req);
    return st;
  }
  uint8_t t0[32], t1[32];
  decc_abi_event_topic(t0, EV_DATASET_SCHEMA);
  decc_log_filter lf;
  decc_log_filter_init(&lf);
  lf.addresses = &dp->addr.dataprotector;
  lf.n_addresses = 1;
  lf.topic_alts[0] = (const uint8_t(*)[32])t0;
  lf.n_topic_alts[0] = 1;
  if (f->has_address) {
    decc_abi_topic_address(t1, &f->address);
    lf.topic_alts[1] = (const uint8_t(*)[32])t1;
    lf.n_topic_alts[1] = 1;
  }
  lf.limit = 100000;
  decc_log *logs = NULL;
  size_t nl = 0;
  st = decc_chain_get_logs(dp->chain, &lf, &logs, &nl, err);
  if (st) {
    json_decref(req);
    return decc_err_prefix(err, "reading DatasetSchema logs");
  }
  size_t skip = (size_t)f->page * ps;
  /* Chain order is creation order: walk backwards for newest first. */
  for (size_t k = nl; k-- > 0 && !st;) {
    const decc_log *l = &logs[k];
    if (l->n_topics < 2)
      continue;
    decc_dp_protected p;
    memset(&p, 0, sizeof p);
    memcpy(p.address.b, l->topics[1] + 12, 20);
    decc_abi_value *v = NULL;
    if (decc_abi_decode(&v, "string", l->data, l->data_len, 0, NULL) !=
            DECC_OK ||
        decc_abi_get_string(decc_abi_item(v, 0), &p.schema) != DECC_OK) {
      decc_abi_value_free(v);
      continue; /* not a DataProtector log we understand */
    }
    decc_abi_value_free(v);
    if (req) {
      json_error_t je;
      json_t *have = json_loads(p.schema, 0, &je);
      int ok = json_is_object(have) && schema_matches(req, have);
      json_decref(have);
      if (!ok) {
        decc_dp_protected_clear(&p);
        continue;
      }
    }
    if ((st = decc__dp_block_time(dp, l->block_number, &p.creation_timestamp,
                                  err))) {
      decc_dp_protected_clear(&p);
      break;
    }
    if (p.creation_timestamp < f->created_after) {
      decc_dp_protected_clear(&p);
      continue;
    }
    decc_err e2;
    decc_err_clear(&e2);
    decc_address owner;
    if (decc_hub_owner_of(dp->chain, &p.address, &owner, &e2) != DECC_OK ||
        (f->has_owner && !decc_address_eq(&owner, &f->owner))) {
      decc_dp_protected_clear(&p);
      continue;
    }
    out->total++;
    if (out->total <= skip || out->n >= ps) {
      decc_dp_protected_clear(&p);
      continue;
    }
    memcpy(p.tx_hash, l->tx_hash, 32);
    p.block_number = l->block_number;
    if ((st = read_entry(dp, &p, err))) {
      decc_dp_protected_clear(&p);
      break;
    }
    decc_dp_protected *ni =
        decc_realloc(out->items, (out->n + 1) * sizeof *out->items);
    if (!ni) {
      decc_dp_protected_clear(&p);
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      break;
    }
    out->items = ni;
    out->items[out->n++] = p;
  }
  decc_logs_free(logs, nl);
  json_decref(req);
  if (st)
    decc_dp_pd_list_clear(out);
  return st;
}

/* ---- transferOwnership ------------------------------------------------------------- */

decc_status decc_dp_transfer_ownership(decc_dp *dp, const decc_address *dataset,
                                       const decc_address *new_owner,
                                       uint8_t *tx_hash32, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(new_owner != NULL);
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN],
      c[DECC_ADDRESS_HEX_LEN];
  int reg = 0;
  if ((st = decc_hub_is_registered(dp->chain, &dp->addr.dataset_registry,
                                   dataset, &reg, err)))
    return st;
  if (!reg)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "%s is not a protected data (no dataset there)",
                        decc__dp_addr(a, dataset));
  if (decc_address_is_zero(new_owner))
    return decc_err_set(err, DECC_E_INVALID,
                        "cannot transfer to the zero address");
  decc_address owner;
  if ((st = decc_hub_owner_of(dp->chain, dataset, &owner, err)))
    return st;
  if (!decc_address_eq(&owner, &dp->me))
    return decc_err_set(err, DECC_E_DENIED,
                        "%s is owned by %s, not by your wallet %s",
                        decc__dp_addr(a, dataset), decc__dp_addr(b, &owner),
                        decc__dp_addr(c, &dp->me));
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  uint8_t id[32] = {0};
  memcpy(id + 12, dataset->b, 20);
  decc_abi_enc_push_address(&e, &dp->me);
  decc_abi_enc_push_address(&e, new_owner);
  decc_abi_enc_push_word(&e, id);
  st = decc__dp_send_abi(dp, &dp->addr.dataset_registry,
                         "safeTransferFrom(address,address,uint256)", &e,
                         "transferOwnership", tx_hash32, err);
  if (st)
    return st;
  /* Grants signed by the previous owner are dead now. */
  return decc_dp_sync_market(dp, err);
}
