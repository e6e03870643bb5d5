/*
 * c_registry.c — PoCo's three registries (OpenZeppelin 3.x ERC721 with
 * ERC721Enumerable bookkeeping), their entries (App, Dataset, Workerpool
 * proxies: field views, owner(), registry(), Workerpool.changePolicy) and
 * the DataProtector contract (createDatasetWithSchema + DatasetSchema).
 *
 * Entry addresses follow Registry._mintCreate: args =
 * abi.encodeWithSignature(initializer, fields…), salt = keccak256(args ‖
 * owner), address = last20(keccak256(0xff ‖ registry ‖ salt ‖
 * proxyCodeHash)) where proxyCodeHash is keccak256 of the creation code of
 * InitializableUpgradeabilityProxy embedded in the 6.1.0 registries (the
 * constant below; tools/vectors/gen_ledger.mjs extracts it from the
 * @iexec/poco artifacts and tests/vectors/ledger holds ethers-computed
 * CREATE2 addresses for it). The token id is uint256(address).
 */
#include <string.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "ledger/ledger_int.h"

/* keccak256(type(InitializableUpgradeabilityProxy).creationCode), 819
 * bytes, identical in AppRegistry, DatasetRegistry and WorkerpoolRegistry
 * of @iexec/poco 6.1.0 (also what proxyCodeHash() returned on anvil). */
static const uint8_t PROXY_CODE_HASH[32] = {
    0xbd, 0x60, 0x3b, 0x4f, 0xb1, 0x7e, 0x88, 0xa3, 0xe7, 0xff, 0x7a,
    0x91, 0xb7, 0x2b, 0xd8, 0x9d, 0x0f, 0x69, 0x98, 0xfd, 0x53, 0x85,
    0x3f, 0x99, 0x6c, 0x53, 0x4d, 0x82, 0x2d, 0xf3, 0x45, 0x87};

#define EV_TRANSFER "Transfer(address,address,uint256)"
#define EV_APPROVAL "Approval(address,address,uint256)"
#define EV_APPROVAL_ALL "ApprovalForAll(address,address,bool)"

static const decc_address *registry_addr(decc_ledger *l, int kind) {
  return kind == LDG_APP       ? &l->addr.app_registry
         : kind == LDG_DATASET ? &l->addr.dataset_registry
                               : &l->addr.workerpool_registry;
}

/* The registry this frame runs in (c->self). */
static int self_kind(ldg_ctx *c) {
  if (decc_address_eq(&c->self, &c->l->addr.app_registry))
    return LDG_APP;
  if (decc_address_eq(&c->self, &c->l->addr.dataset_registry))
    return LDG_DATASET;
  return LDG_WORKERPOOL;
}

/* ---- CREATE2 ------------------------------------------------------------------ */

static decc_status encode_initializer(decc_buf *args, int kind,
                                      const decc_abi_value *a) {
  /* a = (owner, fields…) as decoded from create and predict calls. */
  static const char *const init_sig[3] = {
      "initialize(string,string,bytes,bytes32,bytes)",
      "initialize(string,bytes,bytes32)", "initialize(string)"};
  uint8_t sel[4];
  decc_abi_selector(sel, init_sig[kind]);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  for (size_t i = 1; i < a->count; i++)
    decc_abi_enc_push_value(&e, &a->items[i]);
  decc_status s = decc_abi_enc_finish_call(&e, sel, args);
  decc_abi_enc_clear(&e);
  return s;
}

static void create2(decc_address *out, const decc_address *registry,
                    const decc_buf *args, const decc_address *owner) {
  uint8_t salt[32], pre[85], h[32];
  decc_keccak256_ctx k;
  decc_keccak256_init(&k);
  decc_keccak256_update(&k, args->data, args->len);
  decc_keccak256_update(&k, owner->b, 20);
  decc_keccak256_final(&k, salt);
  pre[0] = 0xff;
  memcpy(pre + 1, registry->b, 20);
  memcpy(pre + 21, salt, 32);
  memcpy(pre + 53, PROXY_CODE_HASH, 32);
  decc_keccak256(h, pre, sizeof pre);
  memcpy(out->b, h + 12, 20);
}

static decc_status predict(ldg_ctx *c, int kind, const decc_abi_value *a,
                           decc_address *out, decc_address *owner) {
  if (decc_abi_get_address(decc_abi_item(a, 0), owner) != DECC_OK)
    return ldg_revert_empty(c);
  decc_buf args;
  decc_buf_init(&args, 0);
  decc_status s = encode_initializer(&args, kind, a);
  if (s != DECC_OK) {
    decc_buf_clear(&args);
    return decc_err_set(c->err, s, "ledger: cannot encode initializer");
  }
  create2(out, registry_addr(c->l, kind), &args, owner);
  decc_buf_clear(&args);
  return DECC_OK;
}

static decc_status emit_nft(ldg_ctx *c, const char *ev, const decc_address *a,
                            const decc_address *b, const decc_address *token) {
  uint8_t t[4][32];
  ldg_topic(t[0], ev);
  ldg_topic_addr(t[1], a);
  ldg_topic_addr(t[2], b);
  ldg_addr_word(t[3], token);
  return ldg_emit(c, &c->self, 4, (const uint8_t(*)[32])t, NULL, 0);
}

static decc_status copy_text(const decc_abi_value *v, char **out) {
  const uint8_t *p;
  size_t n;
  if (decc_abi_get_bytes(v, &p, &n) != DECC_OK)
    return DECC_E_PARSE;
  *out = decc_strndup((const char *)p, n);
  return *out ? DECC_OK : DECC_E_NOMEM;
}

static decc_status copy_bytes(const decc_abi_value *v, uint8_t **out,
                              size_t *n) {
  const uint8_t *p;
  if (decc_abi_get_bytes(v, &p, n) != DECC_OK)
    return DECC_E_PARSE;
  *out = NULL;
  if (!*n)
    return DECC_OK;
  *out = decc_malloc(*n);
  if (!*out)
    return DECC_E_NOMEM;
  memcpy(*out, p, *n);
  return DECC_OK;
}

/* create{App,Dataset,Workerpool}(owner, fields…) */
static decc_status f_create(ldg_ctx *c, const decc_abi_value *a,
                            decc_abi_enc *r) {
  int kind = self_kind(c);
  decc_address entry, owner;
  decc_status s = predict(c, kind, a, &entry, &owner);
  if (s != DECC_OK)
    return s;
  ldg_target existing;
  if ((s = ldg_target_of(c->l, &entry, &existing, c->err)) != DECC_OK)
    return s;
  if (existing != LDG_T_NONE)
    return ldg_revert(c, "Create2: Failed on deploy");
  if (decc_address_is_zero(&owner))
    return ldg_revert(c, "ERC721: mint to the zero address");
  ldg_entry e;
  memset(&e, 0, sizeof e);
  e.kind = kind;
  e.address = entry;
  e.owner = owner;
  s = copy_text(decc_abi_item(a, 1), &e.name);
  if (kind == LDG_APP) {
    if (s == DECC_OK)
      s = copy_text(decc_abi_item(a, 2), &e.app_type);
    if (s == DECC_OK)
      s = copy_bytes(decc_abi_item(a, 3), &e.multiaddr, &e.multiaddr_len);
    if (s == DECC_OK)
      s = decc_abi_get_bytes32(decc_abi_item(a, 4), e.checksum);
    if (s == DECC_OK)
      s = copy_bytes(decc_abi_item(a, 5), &e.mrenclave, &e.mrenclave_len);
  } else if (kind == LDG_DATASET) {
    if (s == DECC_OK)
      s = copy_bytes(decc_abi_item(a, 2), &e.multiaddr, &e.multiaddr_len);
    if (s == DECC_OK)
      s = decc_abi_get_bytes32(decc_abi_item(a, 3), e.checksum);
  } else {
    e.worker_stake_ratio = 30;
    e.scheduler_reward_ratio = 1;
  }
  if (s != DECC_OK) {
    ldg_entry_clear(&e);
    return s == DECC_E_NOMEM ? decc_err_set(c->err, s, "out of memory")
                             : ldg_revert_empty(c);
  }
  s = ldg_entry_insert(c->l, &e, c->err);
  ldg_entry_clear(&e);
  if (s != DECC_OK)
    return s;
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  if ((s = emit_nft(c, EV_TRANSFER, &zero, &owner, &entry)) != DECC_OK)
    return s;
  return decc_abi_enc_push_address(r, &entry);
}

static decc_status f_predict(ldg_ctx *c, const decc_abi_value *a,
                             decc_abi_enc *r) {
  decc_address entry, owner;
  decc_status s = predict(c, self_kind(c), a, &entry, &owner);
  return s != DECC_OK ? s : decc_abi_enc_push_address(r, &entry);
}

/* Entry of a token id in this registry (the uint256 must be an address). */
static decc_status token_entry(ldg_ctx *c, const decc_abi_value *v,
                               ldg_entry *e, int *found) {
  const uint8_t *w = v ? v->word : NULL;
  *found = 0;
  if (!w)
    return ldg_revert_empty(c);
  for (int i = 0; i < 12; i++)
    if (w[i])
      return DECC_OK;
  decc_address a;
  memcpy(a.b, w + 12, 20);
  decc_status s = ldg_entry_get(c->l, &a, e, found, c->err);
  if (s == DECC_OK && *found && e->kind != self_kind(c)) {
    ldg_entry_clear(e);
    *found = 0;
  }
  return s;
}

static decc_status f_is_registered(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  decc_address x;
  if (decc_abi_get_address(decc_abi_item(a, 0), &x) != DECC_OK)
    return ldg_revert_empty(c);
  ldg_entry e;
  int found;
  decc_status s = ldg_entry_head(c->l, &x, &e, &found, c->err);
  if (s != DECC_OK)
    return s;
  int ok = found && e.kind == self_kind(c);
  ldg_entry_clear(&e);
  return decc_abi_enc_push_bool(r, ok);
}

static decc_status f_owner_of(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  ldg_entry e;
  int found;
  decc_status s = token_entry(c, decc_abi_item(a, 0), &e, &found);
  if (s != DECC_OK)
    return s;
  if (!found)
    return ldg_revert(c, "ERC721: owner query for nonexistent token");
  s = decc_abi_enc_push_address(r, &e.owner);
  ldg_entry_clear(&e);
  return s;
}

static decc_status f_balance_of(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  decc_address o;
  uint64_t n;
  if (decc_abi_get_address(decc_abi_item(a, 0), &o) != DECC_OK)
    return ldg_revert_empty(c);
  if (decc_address_is_zero(&o))
    return ldg_revert(c, "ERC721: balance query for the zero address");
  decc_status s = ldg_nft_balance(c->l, self_kind(c), &o, &n, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u64(r, n);
}

static decc_status f_token_of_owner(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r) {
  decc_address o, t;
  uint64_t idx;
  int found;
  if (decc_abi_get_address(decc_abi_item(a, 0), &o) != DECC_OK)
    return ldg_revert_empty(c);
  if (decc_abi_get_u64(decc_abi_item(a, 1), &idx) != DECC_OK ||
      idx > (uint64_t)INT64_MAX)
    return ldg_revert(c, "EnumerableSet: index out of bounds");
  decc_status s =
      ldg_nft_owned_at(c->l, self_kind(c), &o, idx, &t, &found, c->err);
  if (s != DECC_OK)
    return s;
  if (!found)
    return ldg_revert(c, "EnumerableSet: index out of bounds");
  uint8_t w[32];
  ldg_addr_word(w, &t);
  return decc_abi_enc_push_word(r, w);
}

static decc_status f_total_supply(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  uint64_t n;
  decc_status s = ldg_nft_total(c->l, self_kind(c), &n, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u64(r, n);
}

static decc_status f_token_by_index(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r) {
  uint64_t idx;
  decc_address t;
  int found;
  if (decc_abi_get_u64(decc_abi_item(a, 0), &idx) != DECC_OK ||
      idx > (uint64_t)INT64_MAX)
    return ldg_revert(c, "EnumerableMap: index out of bounds");
  decc_status s = ldg_nft_by_index(c->l, self_kind(c), idx, &t, &found, c->err);
  if (s != DECC_OK)
    return s;
  if (!found)
    return ldg_revert(c, "EnumerableMap: index out of bounds");
  uint8_t w[32];
  ldg_addr_word(w, &t);
  return decc_abi_enc_push_word(r, w);
}

static decc_status f_name(ldg_ctx *c, const decc_abi_value *a,
                          decc_abi_enc *r) {
  static const char *const n[3] = {"iExec Application Registry (V5)",
                                   "iExec Dataset Registry (V5)",
                                   "iExec Workerpool Registry (V5)"};
  return decc_abi_enc_push_string(r, n[self_kind(c)]);
}

static decc_status f_symbol(ldg_ctx *c, const decc_abi_value *a,
                            decc_abi_enc *r) {
  static const char *const n[3] = {"iExecAppsV5", "iExecDatasetsV5",
                                   "iExecWorkerpoolV5"};
  return decc_abi_enc_push_string(r, n[self_kind(c)]);
}

static decc_status f_proxy_code_hash(ldg_ctx *c, const decc_abi_value *a,
                                     decc_abi_enc *r) {
  return decc_abi_enc_push_bytes32(r, PROXY_CODE_HASH);
}

static decc_status f_owner(ldg_ctx *c, const decc_abi_value *a,
                           decc_abi_enc *r) {
  return decc_abi_enc_push_address(r, &c->l->owner);
}

static decc_status f_zero_address(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  decc_address z;
  memset(&z, 0, sizeof z);
  return decc_abi_enc_push_address(r, &z);
}

static decc_status f_true(ldg_ctx *c, const decc_abi_value *a,
                          decc_abi_enc *r) {
  return decc_abi_enc_push_bool(r, 1);
}

static decc_status f_get_approved(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  ldg_entry e;
  int found;
  decc_status s = token_entry(c, decc_abi_item(a, 0), &e, &found);
  if (s != DECC_OK)
    return s;
  if (!found)
    return ldg_revert(c, "ERC721: approved query for nonexistent token");
  decc_address ap;
  s = ldg_nft_approved(c->l, &e.address, &ap, c->err);
  ldg_entry_clear(&e);
  return s != DECC_OK ? s : decc_abi_enc_push_address(r, &ap);
}

static decc_status f_is_approved_for_all(ldg_ctx *c, const decc_abi_value *a,
                                         decc_abi_enc *r) {
  decc_address o, op;
  int yes;
  if (decc_abi_get_address(decc_abi_item(a, 0), &o) != DECC_OK ||
      decc_abi_get_address(decc_abi_item(a, 1), &op) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = ldg_nft_operator(c->l, self_kind(c), &o, &op, &yes, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, yes);
}

static decc_status f_approve(ldg_ctx *c, const decc_abi_value *a,
                             decc_abi_enc *r) {
  decc_address to;
  ldg_entry e;
  int found, op = 0;
  if (decc_abi_get_address(decc_abi_item(a, 0), &to) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = token_entry(c, decc_abi_item(a, 1), &e, &found);
  if (s != DECC_OK)
    return s;
  if (!found)
    return ldg_revert(c, "ERC721: owner query for nonexistent token");
  if (decc_address_eq(&to, &e.owner))
    s = ldg_revert(c, "ERC721: approval to current owner");
  else if ((s = ldg_nft_operator(c->l, e.kind, &e.owner, &c->sender, &op,
                                 c->err)) == DECC_OK &&
           !decc_address_eq(&c->sender, &e.owner) && !op)
    s = ldg_revert(c,
                   "ERC721: approve caller is not owner nor approved for all");
  if (s == DECC_OK)
    s = ldg_nft_set_approved(c->l, &e.address, &to, c->err);
  if (s == DECC_OK)
    s = emit_nft(c, EV_APPROVAL, &e.owner, &to, &e.address);
  ldg_entry_clear(&e);
  return s;
}

static decc_status f_set_approval_for_all(ldg_ctx *c, const decc_abi_value *a,
                                          decc_abi_enc *r) {
  decc_address op;
  int yes;
  if (decc_abi_get_address(decc_abi_item(a, 0), &op) != DECC_OK ||
      decc_abi_get_bool(decc_abi_item(a, 1), &yes) != DECC_OK)
    return ldg_revert_empty(c);
  if (decc_address_eq(&op, &c->sender))
    return ldg_revert(c, "ERC721: approve to caller");
  decc_status s =
      ldg_nft_set_operator(c->l, self_kind(c), &c->sender, &op, yes, c->err);
  if (s != DECC_OK)
    return s;
  uint8_t t[3][32], d[32];
  ldg_topic(t[0], EV_APPROVAL_ALL);
  ldg_topic_addr(t[1], &c->sender);
  ldg_topic_addr(t[2], &op);
  memset(d, 0, 32);
  d[31] = (uint8_t)(yes != 0);
  return ldg_emit(c, &c->self, 3, (const uint8_t(*)[32])t, d, 32);
}

/* OZ 3.x ERC721._transfer preceded by the _isApprovedOrOwner check. */
static decc_status nft_transfer(ldg_ctx *c, const decc_abi_value *a, int safe) {
  decc_address from, to;
  ldg_entry e;
  int found, op = 0;
  if (decc_abi_get_address(decc_abi_item(a, 0), &from) != DECC_OK ||
      decc_abi_get_address(decc_abi_item(a, 1), &to) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = token_entry(c, decc_abi_item(a, 2), &e, &found);
  if (s != DECC_OK)
    return s;
  if (!found)
    return ldg_revert(c, "ERC721: operator query for nonexistent token");
  decc_address approved;
  if ((s = ldg_nft_approved(c->l, &e.address, &approved, c->err)) != DECC_OK ||
      (s = ldg_nft_operator(c->l, e.kind, &e.owner, &c->sender, &op, c->err)) !=
          DECC_OK)
    goto out;
  if (!decc_address_eq(&c->sender, &e.owner) &&
      !decc_address_eq(&c->sender, &approved) && !op) {
    s = ldg_revert(c, "ERC721: transfer caller is not owner nor approved");
    goto out;
  }
  if (!decc_address_eq(&from, &e.owner)) {
    s = ldg_revert(c, "ERC721: transfer of token that is not own");
    goto out;
  }
  if (decc_address_is_zero(&to)) {
    s = ldg_revert(c, "ERC721: transfer to the zero address");
    goto out;
  }
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  if ((s = ldg_nft_set_approved(c->l, &e.address, &zero, c->err)) != DECC_OK ||
      (s = emit_nft(c, EV_APPROVAL, &e.owner, &zero, &e.address)) != DECC_OK ||
      (s = ldg_entry_transfer(c->l, &e.address, &to, c->err)) != DECC_OK ||
      (s = emit_nft(c, EV_TRANSFER, &from, &to, &e.address)) != DECC_OK)
    goto out;
  if (safe) {
    /* None of the emulated contracts implements onERC721Received. */
    ldg_target t;
    if ((s = ldg_target_of(c->l, &to, &t, c->err)) != DECC_OK)
      goto out;
    if (t != LDG_T_NONE)
      s = ldg_revert(c, "ERC721: transfer to non ERC721Receiver implementer");
  }
out:
  ldg_entry_clear(&e);
  return s;
}

static decc_status f_transfer_from(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  return nft_transfer(c, a, 0);
}

static decc_status f_safe_transfer_from(ldg_ctx *c, const decc_abi_value *a,
                                        decc_abi_enc *r) {
  return nft_transfer(c, a, 1);
}

static decc_status f_token_uri(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  ldg_entry e;
  int found;
  decc_status s = token_entry(c, decc_abi_item(a, 0), &e, &found);
  if (s != DECC_OK)
    return s;
  if (!found)
    return ldg_revert(c, "ERC721Metadata: URI query for nonexistent token");
  ldg_entry_clear(&e);
  return decc_abi_enc_push_string(r, ""); /* no base URI set */
}

static decc_status f_empty_string(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  return decc_abi_enc_push_string(r, "");
}

#define REG LDG_T_APP_REGISTRY /* shared by the three registries */
const ldg_method ldg_registry_methods[] = {
    {LDG_T_APP_REGISTRY, "createApp(address,string,string,bytes,bytes32,bytes)",
     f_create},
    {LDG_T_APP_REGISTRY,
     "predictApp(address,string,string,bytes,bytes32,bytes)", f_predict},
    {LDG_T_DATASET_REGISTRY, "createDataset(address,string,bytes,bytes32)",
     f_create},
    {LDG_T_DATASET_REGISTRY, "predictDataset(address,string,bytes,bytes32)",
     f_predict},
    {LDG_T_WORKERPOOL_REGISTRY, "createWorkerpool(address,string)", f_create},
    {LDG_T_WORKERPOOL_REGISTRY, "predictWorkerpool(address,string)", f_predict},
    {REG, "isRegistered(address)", f_is_registered},
    {REG, "ownerOf(uint256)", f_owner_of},
    {REG, "balanceOf(address)", f_balance_of},
    {REG, "tokenOfOwnerByIndex(address,uint256)", f_token_of_owner},
    {REG, "totalSupply()", f_total_supply},
    {REG, "tokenByIndex(uint256)", f_token_by_index},
    {REG, "name()", f_name},
    {REG, "symbol()", f_symbol},
    {REG, "tokenURI(uint256)", f_token_uri},
    {REG, "baseURI()", f_empty_string},
    {REG, "proxyCodeHash()", f_proxy_code_hash},
    {REG, "owner()", f_owner},
    {REG, "previous()", f_zero_address},
    {REG, "initialized()", f_true},
    {REG, "getApproved(uint256)", f_get_approved},
    {REG, "isApprovedForAll(address,address)", f_is_approved_for_all},
    {REG, "approve(address,uint256)", f_approve},
    {REG, "setApprovalForAll(address,bool)", f_set_approval_for_all},
    {REG, "transferFrom(address,address,uint256)", f_transfer_from},
    {REG, "safeTransferFrom(address,address,uint256)", f_safe_transfer_from},
    {REG, "safeTransferFrom(address,address,uint256,bytes)",
     f_safe_transfer_from},
    {LDG_T_NONE, NULL, NULL}};

/* ---- entries -------------------------------------------------------------------- */

static decc_status self_entry(ldg_ctx *c, ldg_entry *e) {
  int found;
  decc_status s = ldg_entry_get(c->l, &c->self, e, &found, c->err);
  if (s == DECC_OK && !found)
    return decc_err_set(c->err, DECC_E_INTERNAL, "ledger: entry vanished");
  return s;
}

#define ENTRY_VIEW(fname, push)                                                \
  static decc_status fname(ldg_ctx *c, const decc_abi_value *a,                \
                           decc_abi_enc *r) {                                  \
    ldg_entry e;                                                               \
    decc_status s = self_entry(c, &e);                                         \
    if (s != DECC_OK)                                                          \
      return s;                                                                \
    s = push;                                                                  \
    ldg_entry_clear(&e);                                                       \
    return s;                                                                  \
  }

ENTRY_VIEW(f_e_owner, decc_abi_enc_push_address(r, &e.owner))
ENTRY_VIEW(f_e_name, decc_abi_enc_push_string(r, e.name))
ENTRY_VIEW(f_e_type, decc_abi_enc_push_string(r, e.app_type ? e.app_type : ""))
ENTRY_VIEW(f_e_multiaddr,
           decc_abi_enc_push_bytes(r, e.multiaddr, e.multiaddr_len))
ENTRY_VIEW(f_e_checksum, decc_abi_enc_push_bytes32(r, e.checksum))
ENTRY_VIEW(f_e_mrenclave,
           decc_abi_enc_push_bytes(r, e.mrenclave, e.mrenclave_len))
ENTRY_VIEW(f_e_wsr, decc_abi_enc_push_u64(r, (uint64_t)e.worker_stake_ratio))
ENTRY_VIEW(f_e_srr,
           decc_abi_enc_push_u64(r, (uint64_t)e.scheduler_reward_ratio))
ENTRY_VIEW(f_e_registry,
           decc_abi_enc_push_address(r, registry_addr(c->l, e.kind)))

static decc_status f_change_policy(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  decc_u256 wsr, srr;
  uint64_t w64, s64;
  if (decc_abi_get_u256(decc_abi_item(a, 0), &wsr) != DECC_OK ||
      decc_abi_get_u256(decc_abi_item(a, 1), &srr) != DECC_OK)
    return ldg_revert_empty(c);
  ldg_entry e;
  decc_status s = self_entry(c, &e);
  if (s != DECC_OK)
    return s;
  if (!decc_address_eq(&e.owner, &c->sender))
    s = ldg_revert(c, "caller is not the owner");
  else if (!decc_u256_to_u64(&s64, &srr) || s64 > 100)
    s = ldg_revert_empty(c);
  else if (!decc_u256_to_u64(&w64, &wsr) || w64 > (uint64_t)INT64_MAX)
    /* Stored as a SQLite integer: decc bounds the ratio to 2^63-1 (any
     * value above 100 already makes every match fail in PoCo). */
    s = ldg_revert_empty(c);
  if (s == DECC_OK) {
    decc_abi_enc ev;
    decc_buf data;
    decc_abi_enc_init(&ev, 0);
    decc_buf_init(&data, 0);
    decc_abi_enc_push_u64(&ev, (uint64_t)e.worker_stake_ratio);
    decc_abi_enc_push_u64(&ev, w64);
    decc_abi_enc_push_u64(&ev, (uint64_t)e.scheduler_reward_ratio);
    decc_abi_enc_push_u64(&ev, s64);
    s = decc_abi_enc_finish(&ev, &data);
    decc_abi_enc_clear(&ev);
    uint8_t t[1][32];
    ldg_topic(t[0], "PolicyUpdate(uint256,uint256,uint256,uint256)");
    if (s == DECC_OK)
      s = ldg_emit(c, &c->self, 1, (const uint8_t(*)[32])t, data.data,
                   data.len);
    decc_buf_clear(&data);
    if (s == DECC_OK)
      s = ldg_entry_set_policy(c->l, &c->self, (int64_t)w64, (int64_t)s64,
                               c->err);
  }
  ldg_entry_clear(&e);
  return s;
}

static decc_status f_set_name(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  return ldg_revert(c, "Operation not supported on this chain");
}

const ldg_method ldg_entry_methods[] = {
    {LDG_T_APP, "owner()", f_e_owner},
    {LDG_T_APP, "registry()", f_e_registry},
    {LDG_T_APP, "m_appName()", f_e_name},
    {LDG_T_APP, "m_appType()", f_e_type},
    {LDG_T_APP, "m_appMultiaddr()", f_e_multiaddr},
    {LDG_T_APP, "m_appChecksum()", f_e_checksum},
    {LDG_T_APP, "m_appMREnclave()", f_e_mrenclave},
    {LDG_T_APP, "setName(address,string)", f_set_name},
    {LDG_T_DATASET, "owner()", f_e_owner},
    {LDG_T_DATASET, "registry()", f_e_registry},
    {LDG_T_DATASET, "m_datasetName()", f_e_name},
    {LDG_T_DATASET, "m_datasetMultiaddr()", f_e_multiaddr},
    {LDG_T_DATASET, "m_datasetChecksum()", f_e_checksum},
    {LDG_T_DATASET, "setName(address,string)", f_set_name},
    {LDG_T_WORKERPOOL, "owner()", f_e_owner},
    {LDG_T_WORKERPOOL, "registry()", f_e_registry},
    {LDG_T_WORKERPOOL, "m_workerpoolDescription()", f_e_name},
    {LDG_T_WORKERPOOL, "m_workerStakeRatioPolicy()", f_e_wsr},
    {LDG_T_WORKERPOOL, "m_schedulerRewardRatioPolicy()", f_e_srr},
    {LDG_T_WORKERPOOL, "changePolicy(uint256,uint256)", f_change_policy},
    {LDG_T_WORKERPOOL, "setName(address,string)", f_set_name},
    {LDG_T_NONE, NULL, NULL}};

/* ---- DataProtector ----------------------------------------------------------------- */

static decc_status f_create_dataset_with_schema(ldg_ctx *c,
                                                const decc_abi_value *a,
                                                decc_abi_enc *r) {
  /* registry.createDataset(owner, name, multiaddr, checksum) as this
   * contract, then DatasetSchema(dataset indexed, schema). */
  const decc_abi_value *owner = decc_abi_item(a, 0),
                       *name = decc_abi_item(a, 1),
                       *schema = decc_abi_item(a, 2),
                       *maddr = decc_abi_item(a, 3), *sum = decc_abi_item(a, 4);
  if (!owner || !name || !schema || !maddr || !sum)
    return ldg_revert_empty(c);
  uint8_t sel[4];
  decc_abi_selector(sel, "createDataset(address,string,bytes,bytes32)");
  decc_abi_enc e;
  decc_buf call, ret;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&call, 0);
  decc_buf_init(&ret, 0);
  decc_abi_enc_push_value(&e, owner);
  decc_abi_enc_push_value(&e, name);
  decc_abi_enc_push_value(&e, maddr);
  decc_abi_enc_push_value(&e, sum);
  decc_status s = decc_abi_enc_finish_call(&e, sel, &call);
  decc_abi_enc_clear(&e);
  if (s != DECC_OK)
    s = decc_err_set(c->err, s, "ledger: cannot encode createDataset");
  else
    s = ldg_call(c, &c->l->addr.dataset_registry, call.data, call.len, &ret);
  decc_buf_clear(&call);
  if (s == DECC_OK && ret.len != 32)
    s = decc_err_set(c->err, DECC_E_INTERNAL,
                     "ledger: bad createDataset "
                     "return");
  if (s == DECC_OK) {
    decc_address ds;
    memcpy(ds.b, ret.data + 12, 20);
    uint8_t t[2][32];
    ldg_topic(t[0], "DatasetSchema(address,string)");
    ldg_topic_addr(t[1], &ds);
    decc_abi_enc ev;
    decc_buf data;
    decc_abi_enc_init(&ev, 0);
    decc_buf_init(&data, 0);
    decc_abi_enc_push_value(&ev, schema);
    s = decc_abi_enc_finish(&ev, &data);
    decc_abi_enc_clear(&ev);
    if (s == DECC_OK)
      s = ldg_emit(c, &c->self, 2, (const uint8_t(*)[32])t, data.data,
                   data.len);
    decc_buf_clear(&data);
    if (s == DECC_OK)
      s = decc_abi_enc_push_address(r, &ds);
  }
  decc_buf_clear(&ret);
  return s;
}

static decc_status f_dp_registry(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  return decc_abi_enc_push_address(r, &c->l->addr.dataset_registry);
}

const ldg_method ldg_dataprotector_methods[] = {
    {LDG_T_DATAPROTECTOR,
     "createDatasetWithSchema(address,string,string,bytes,bytes32)",
     f_create_dataset_with_schema},
    {LDG_T_DATAPROTECTOR, "DATASET_REGISTRY()", f_dp_registry},
    {LDG_T_NONE, NULL, NULL}};
