/*
 * test_misuse_poco_rules.c — the entry checks of poco.h's rule functions
 * (matchOrders … claim, escrow_apply) and of its signature, event, revert
 * and effects functions: each required pointer passed as NULL (a NULL env,
 * an env without a world, a world missing a required callback, a data
 * pointer NULL with a non-zero length) is reported once to the misuse
 * handler by the function called, which returns DECC_E_INVALID (0,
 * DECC_EV_COUNT, or at once when void) and leaves *fx as it was. The
 * permitted NULLs (a missing deal / task record, optional rev / err /
 * count, empty data, the no-op init / clear) are not reported and behave
 * as documented, and what the arguments hold (orders of the wrong type, an
 * event out of range, a revert of kind NONE) stays an ordinary error.
 */
#include <string.h>

#include "decc/buf.h"
#include "decc/hash.h"
#include "decc/order.h"
#include "decc/poco.h"
#include "misuse_check.h"
#include "poco_testworld.h"

/* A world over an empty test state and the env the rules get. */
typedef struct {
  tw w;
  decc_poco_world world;
  decc_poco_env env;
} fixture;

static void fixture_init(fixture *f) {
  tw_init(&f->w);
  f->world = tw_world(&f->w);
  memset(&f->env, 0, sizeof f->env);
  f->env.world = &f->world;
  f->env.hub = tw_addr(0x11);
  f->env.callback_gas = DECC_POCO_DEFAULT_CALLBACK_GAS;
  f->env.timestamp = 1700000000;
}

/* An effects object with a mark a refused call must leave in place. */
static void fx_mark(decc_poco_effects *fx) {
  decc_poco_effects_init(fx);
  fx->has_deal = 77;
  fx->revert.kind = DECC_POCO_REVERT_PANIC;
  fx->revert.panic = 0x42;
}

static int fx_marked(const decc_poco_effects *fx) {
  return fx->has_deal == 77 && fx->revert.kind == DECC_POCO_REVERT_PANIC &&
         fx->revert.panic == 0x42;
}

TEST(misuse_poco_deal_making) {
  MISUSE_BEGIN();
  fixture f;
  fixture_init(&f);
  decc_order o[4];
  for (int i = 0; i < 4; i++)
    ASSERT_OK(decc_order_init(&o[i], (decc_order_type)i));
  decc_address snd = tw_addr(0x22), own = tw_addr(0x23);
  decc_poco_deal deal;
  ASSERT_OK(decc_poco_deal_init(&deal));
  decc_u256 ref = U(300);
  uint8_t sig[65] = {0};
  decc_poco_effects fx;
  fx_mark(&fx);

  /* The env and its world: NULL env, NULL world, a required callback
   * missing — the same check in every rule that reads the world. */
  decc_poco_env no_world = f.env;
  no_world.world = NULL;
  decc_poco_world partial = f.world;
  partial.account = NULL;
  decc_poco_env bad_world = f.env;
  bad_world.world = &partial;
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, NULL, &o[0], &o[1],
                &o[2], &o[3], &snd, 0, &fx, NULL);
  ASSERT_STR_EQ(g_misuse.what, "decc__poco_world_ok(env)");
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &no_world, &o[0], &o[1],
                &o[2], &o[3], &snd, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &bad_world, &o[0],
                &o[1], &o[2], &o[3], &snd, 0, &fx, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &f.env, NULL, &o[1],
                &o[2], &o[3], &snd, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &f.env, &o[0], NULL,
                &o[2], &o[3], &snd, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &f.env, &o[0], &o[1],
                NULL, &o[3], &snd, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &f.env, &o[0], &o[1],
                &o[2], NULL, &snd, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &f.env, &o[0], &o[1],
                &o[2], &o[3], NULL, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_match_orders, &f.env, &o[0], &o[1],
                &o[2], &o[3], &snd, 0, NULL, NULL);
  ASSERT_STR_EQ(g_misuse.what, "fx != NULL");
  ASSERT(fx_marked(&fx)); /* no refused call touched the effects */

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_compute_deal_volume, &bad_world,
                &o[0], &o[1], &o[2], &o[3], &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_compute_deal_volume, &f.env, NULL,
                &o[1], &o[2], &o[3], &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_compute_deal_volume, &f.env, &o[0],
                NULL, &o[2], &o[3], &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_compute_deal_volume, &f.env, &o[0],
                &o[1], NULL, &o[3], &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_compute_deal_volume, &f.env, &o[0],
                &o[1], &o[2], NULL, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_compute_deal_volume, &f.env, &o[0],
                &o[1], &o[2], &o[3], NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_assert_dataset_deal_compatibility,
                &no_world, &o[1], &deal, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_assert_dataset_deal_compatibility,
                &f.env, NULL, &deal, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_assert_dataset_deal_compatibility,
                &f.env, &o[1], NULL, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_assert_dataset_deal_compatibility,
                &f.env, &o[1], &deal, NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_manage_order, &bad_world, &o[3],
                DECC_OP_SIGN, NULL, 0, &snd, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_manage_order, &f.env, NULL,
                DECC_OP_SIGN, NULL, 0, &snd, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_manage_order, &f.env, &o[3],
                DECC_OP_SIGN, NULL, 65, &snd, &fx, NULL);
  ASSERT_STR_EQ(g_misuse.what, "op_sign != NULL || op_sign_len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_manage_order, &f.env, &o[3],
                DECC_OP_SIGN, sig, 65, NULL, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_manage_order, &f.env, &o[3],
                DECC_OP_SIGN, sig, 65, &snd, NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_create_category, NULL, &snd, &own, 5,
                "XXL", "{}", &ref, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_create_category, &f.env, NULL, &own,
                5, "XXL", "{}", &ref, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_create_category, &f.env, &snd, NULL,
                5, "XXL", "{}", &ref, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_create_category, &f.env, &snd, &own,
                5, NULL, "{}", &ref, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_create_category, &f.env, &snd, &own,
                5, "XXL", NULL, &ref, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_create_category, &f.env, &snd, &own,
                5, "XXL", "{}", NULL, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_create_category, &f.env, &snd, &own,
                5, "XXL", "{}", &ref, NULL, NULL);
  ASSERT(fx_marked(&fx));

  /* What the arguments hold is not misuse: orders of the wrong type. */
  decc_err err;
  decc_err_clear(&err);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_match_orders(&f.env, &o[1], &o[1], &o[2],
                                                    &o[3], &snd, 0, &fx, &err),
                             DECC_E_INVALID));
  ASSERT(strstr(err.msg, "wrong types") != NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_compute_deal_volume(
                                 &f.env, &o[0], &o[1], &o[2], &o[0], &fx, NULL),
                             DECC_E_INVALID));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_assert_dataset_deal_compatibility(
                                 &f.env, &o[0], &deal, &fx, NULL),
                             DECC_E_INVALID));
  /* The permitted NULLs: no op signature, no err; a world with its
   * optional callbacks absent; createCategory needs no world. */
  decc_poco_world minimal = f.world;
  minimal.key_has_purpose = NULL;
  minimal.is_valid_signature = NULL;
  minimal.recovered = NULL;
  decc_poco_env min_env = f.env;
  min_env.world = &minimal;
  o[3].u.request.requester = snd; /* the sender owns the request order */
  EXPECT_OK_NO_MISUSE(decc_poco_manage_order(&min_env, &o[3], DECC_OP_SIGN,
                                             NULL, 0, &snd, &fx, NULL));
  ASSERT_EQ(fx.n_presigned, 1u);
  ASSERT_EQ(fx.n_logs, 1u);
  EXPECT_OK_NO_MISUSE(decc_poco_create_category(&no_world, &own, &own, 5, "XXL",
                                                "{}", &ref, &fx, NULL));
  ASSERT_EQ(fx.n_logs, 1u);
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_create_category(&no_world, &snd, &own, 5, "XXL", "{}",
                                          &ref, &fx, NULL),
                DECC_E_REVERT));
  ASSERT_STR_EQ(fx.revert.reason, "Ownable: caller is not the owner");

  decc_poco_effects_clear(&fx);
  decc_poco_deal_clear(&deal);
  for (int i = 0; i < 4; i++)
    decc_order_clear(&o[i]);
}

TEST(misuse_poco_tasks) {
  MISUSE_BEGIN();
  fixture f;
  fixture_init(&f);
  decc_poco_deal deal;
  ASSERT_OK(decc_poco_deal_init(&deal));
  decc_poco_task task;
  decc_poco_task_init(&task);
  uint8_t id[32] = {1}, h[32] = {2}, s[32] = {3}, sig[65] = {4};
  decc_address snd = tw_addr(0x22), ec = tw_addr(0x24);
  decc_u256 idx = U(0);
  const uint8_t *res = (const uint8_t *)"res";
  decc_poco_env no_world = f.env;
  no_world.world = NULL;
  decc_poco_effects fx;
  fx_mark(&fx);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_initialize, &no_world, id, &deal,
                &idx, &task, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_initialize, &f.env, NULL, &deal, &idx,
                &task, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_initialize, &f.env, id, &deal, NULL,
                &task, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_initialize, &f.env, id, &deal, &idx,
                &task, NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, NULL, id, &deal, &task,
                &snd, h, s, &ec, sig, 65, sig, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, NULL, &deal,
                &task, &snd, h, s, &ec, sig, 65, sig, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, id, &deal, &task,
                NULL, h, s, &ec, sig, 65, sig, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, id, &deal, &task,
                &snd, NULL, s, &ec, sig, 65, sig, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, id, &deal, &task,
                &snd, h, NULL, &ec, sig, 65, sig, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, id, &deal, &task,
                &snd, h, s, NULL, sig, 65, sig, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, id, &deal, &task,
                &snd, h, s, &ec, NULL, 65, sig, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, id, &deal, &task,
                &snd, h, s, &ec, sig, 65, NULL, 65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute, &f.env, id, &deal, &task,
                &snd, h, s, &ec, sig, 65, sig, 65, NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reveal, &no_world, id, &task, &snd, h,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reveal, &f.env, NULL, &task, &snd, h,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reveal, &f.env, id, &task, NULL, h,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reveal, &f.env, id, &task, &snd, NULL,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reveal, &f.env, id, &task, &snd, h,
                NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reopen, NULL, id, &deal, &task, &snd,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reopen, &f.env, NULL, &deal, &task,
                &snd, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reopen, &f.env, id, &deal, &task,
                NULL, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_reopen, &f.env, id, &deal, &task,
                &snd, NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_finalize, &no_world, id, &deal, &task,
                &snd, res, 3, NULL, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_finalize, &f.env, NULL, &deal, &task,
                &snd, res, 3, NULL, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_finalize, &f.env, id, &deal, &task,
                NULL, res, 3, NULL, 0, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_finalize, &f.env, id, &deal, &task,
                &snd, NULL, 3, NULL, 0, &fx, NULL);
  ASSERT_STR_EQ(g_misuse.what, "results != NULL || results_len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_finalize, &f.env, id, &deal, &task,
                &snd, res, 3, NULL, 1, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_finalize, &f.env, id, &deal, &task,
                &snd, res, 3, NULL, 0, NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, NULL, id,
                &deal, &task, &snd, h, res, 3, NULL, 0, &ec, NULL, 0, sig, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, NULL,
                &deal, &task, &snd, h, res, 3, NULL, 0, &ec, NULL, 0, sig, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, NULL, h, res, 3, NULL, 0, &ec, NULL, 0, sig, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, &snd, NULL, res, 3, NULL, 0, &ec, NULL, 0, sig,
                65, &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, &snd, h, NULL, 3, NULL, 0, &ec, NULL, 0, sig, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, &snd, h, res, 3, NULL, 2, &ec, NULL, 0, sig, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, &snd, h, res, 3, NULL, 0, NULL, NULL, 0, sig, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, &snd, h, res, 3, NULL, 0, &ec, NULL, 65, sig, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, &snd, h, res, 3, NULL, 0, &ec, NULL, 0, NULL, 65,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribute_and_finalize, &f.env, id,
                &deal, &task, &snd, h, res, 3, NULL, 0, &ec, NULL, 0, sig, 65,
                NULL, NULL);

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_claim, &no_world, id, &deal, &task,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_claim, &f.env, NULL, &deal, &task,
                &fx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_claim, &f.env, id, &deal, &task, NULL,
                NULL);
  ASSERT(fx_marked(&fx));

  /* The permitted NULLs: a missing deal / task record (the rule reverts as
   * PoCo does for an absent one), empty data, no err. */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_initialize(&f.env, id, NULL, &idx, NULL, &fx, NULL),
                DECC_E_REVERT));
  ASSERT_EQ(fx.revert.kind, DECC_POCO_REVERT_EMPTY);
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_contribute(&f.env, id, NULL, NULL, &snd, h, s, &ec,
                                     NULL, 0, NULL, 0, &fx, NULL),
                DECC_E_REVERT));
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_poco_reveal(&f.env, id, NULL, &snd, h, &fx, NULL), DECC_E_REVERT));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_reopen(&f.env, id, NULL, NULL, &snd, &fx, NULL),
                DECC_E_REVERT));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_finalize(&f.env, id, NULL, NULL, &snd,
                                                NULL, 0, NULL, 0, &fx, NULL),
                             DECC_E_REVERT));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_contribute_and_finalize(
                                 &f.env, id, NULL, NULL, &snd, h, NULL, 0, NULL,
                                 0, &ec, NULL, 0, NULL, 0, &fx, NULL),
                             DECC_E_REVERT));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_claim(&f.env, id, NULL, NULL, &fx, NULL),
                             DECC_E_REVERT));
  ASSERT_EQ(fx.revert.kind, DECC_POCO_REVERT_EMPTY);
  ASSERT_EQ(fx.n_logs, 0u);

  decc_poco_effects_clear(&fx);
  decc_poco_task_clear(&task);
  decc_poco_deal_clear(&deal);
}

TEST(misuse_poco_escrow_signatures) {
  MISUSE_BEGIN();
  fixture f;
  fixture_init(&f);
  decc_poco_accounts t;
  decc_poco_accounts_init(&t);
  decc_address hub = f.env.hub, who = tw_addr(0x31);
  decc_poco_move mv;
  memset(&mv, 0, sizeof mv);
  mv.kind = DECC_POCO_REWARD;
  mv.account = who;
  mv.amount = U(5);
  decc_poco_revert rev;

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_escrow_apply, NULL, &hub, &mv, 1,
                &rev, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_escrow_apply, &t, NULL, &mv, 1, &rev,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_escrow_apply, &t, &hub, NULL, 1, &rev,
                NULL);
  ASSERT_EQ(t.n, 0u);
  /* n = 0 with no moves, and no rev / err: a valid empty apply. */
  EXPECT_OK_NO_MISUSE(decc_poco_escrow_apply(&t, &hub, NULL, 0, NULL, NULL));
  /* A reward from an empty hub reverts (panic): not misuse, rev optional. */
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_poco_escrow_apply(&t, &hub, &mv, 1, NULL, NULL), DECC_E_REVERT));
  ASSERT_OK(decc_poco_accounts_set(&t, &hub, &mv.amount, &mv.amount));
  EXPECT_OK_NO_MISUSE(decc_poco_escrow_apply(&t, &hub, &mv, 1, NULL, NULL));
  ASSERT_EQ(t.n, 2u);

  /* Signatures: a real EOA signature over a digest. */
  uint8_t sk[32], hash[32], sig[65];
  tw_key(sk, 7);
  decc_address signer = tw_addr_of_key(7);
  decc_keccak256(hash, "misuse", 6);
  ASSERT_OK(decc_eip191_sign(sig, sk, hash, 32));
  uint8_t digest[32];
  decc_eip191_digest(digest, hash, 32);
  int valid = -1;
  decc_poco_env no_world = f.env;
  no_world.world = NULL;

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature, &no_world, &signer,
                digest, sig, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature, &f.env, NULL,
                digest, sig, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature, &f.env, &signer,
                NULL, sig, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature, &f.env, &signer,
                digest, NULL, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature, &f.env, &signer,
                digest, sig, 65, NULL, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature_or_presignature,
                NULL, &signer, digest, sig, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature_or_presignature,
                &f.env, NULL, digest, sig, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature_or_presignature,
                &f.env, &signer, NULL, sig, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature_or_presignature,
                &f.env, &signer, digest, NULL, 65, &valid, &rev);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_verify_signature_or_presignature,
                &f.env, &signer, digest, sig, 65, NULL, &rev);
  ASSERT_EQ(valid, -1); /* untouched by the refused calls */
  /* rev is optional; the signature verifies. */
  EXPECT_OK_NO_MISUSE(decc_poco_verify_signature(&f.env, &signer, digest, sig,
                                                 65, &valid, NULL));
  ASSERT_EQ(valid, 1);
  EXPECT_OK_NO_MISUSE(decc_poco_verify_signature_or_presignature(
      &f.env, &who, digest, sig, 65, &valid, NULL));
  ASSERT_EQ(valid, 0);
  /* A malformed length is the data's fault: a revert, even without rev. */
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_poco_verify_signature(&f.env, &signer, digest, sig, 3, &valid, NULL),
      DECC_E_REVERT));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_verify_signature(&f.env, &signer, digest,
                                                        NULL, 0, &valid, &rev),
                             DECC_E_REVERT));
  ASSERT_STR_EQ(rev.reason, "invalid-signature-format");

  int auth = -1;
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_is_authorized, &no_world, &who,
                &signer, &auth);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_is_authorized, &f.env, NULL, &signer,
                &auth);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_is_authorized, &f.env, &who, NULL,
                &auth);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_is_authorized, &f.env, &who, &signer,
                NULL);
  ASSERT_EQ(auth, -1);
  EXPECT_OK_NO_MISUSE(decc_poco_is_authorized(&f.env, &who, &signer, &auth));
  ASSERT_EQ(auth, 0);
  EXPECT_OK_NO_MISUSE(decc_poco_is_authorized(&f.env, &who, &who, &auth));
  ASSERT_EQ(auth, 1);

  /* Signatures ahead of a call. */
  decc_poco_sigcheck pre[4];
  uint8_t dom[32] = {9}, cd[8] = {0};
  EXPECT_MISUSE(0u, decc_poco_call_signatures, NULL, 4, dom, &signer, cd, 8);
  EXPECT_MISUSE(0u, decc_poco_call_signatures, pre, 4, NULL, &signer, cd, 8);
  EXPECT_MISUSE(0u, decc_poco_call_signatures, pre, 4, dom, NULL, cd, 8);
  EXPECT_MISUSE(0u, decc_poco_call_signatures, pre, 4, dom, &signer, NULL, 8);
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_call_signatures(NULL, 0, dom, &signer, cd, 8), 0u));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_call_signatures(pre, 4, dom, &signer, NULL, 0), 0u));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_call_signatures(pre, 4, dom, &signer, cd, 8), 0u));
  EXPECT_MISUSE_VOID(decc_poco_sigcheck_recover, NULL);
  memset(&pre[0], 0, sizeof pre[0]);
  memcpy(pre[0].hash, digest, 32);
  memcpy(pre[0].sig, sig, 65);
  pre[0].sig_len = 65;
  EXPECT_NO_MISUSE(decc_poco_sigcheck_recover(&pre[0]));
  ASSERT_EQ(pre[0].recovered, 1);
  ASSERT(decc_address_eq(&pre[0].signer, &signer));

  decc_poco_accounts_clear(&t);
}

TEST(misuse_poco_events_reverts_effects) {
  MISUSE_BEGIN();
  uint8_t topic[32];
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_event_topic, NULL,
                DECC_EV_ORDERS_MATCHED);
  /* An event out of range is a documented failure, not misuse. */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_event_topic(topic, DECC_EV_COUNT), DECC_E_INVALID));
  EXPECT_NO_MISUSE(ASSERT(decc_poco_event_signature(DECC_EV_COUNT) == NULL));
  EXPECT_OK_NO_MISUSE(decc_poco_event_topic(topic, DECC_EV_ORDERS_MATCHED));
  uint8_t want[32];
  const char *s = decc_poco_event_signature(DECC_EV_ORDERS_MATCHED);
  decc_keccak256(want, s, strlen(s));
  ASSERT_MEM_EQ(topic, want, 32);
  EXPECT_MISUSE(DECC_EV_COUNT, decc_poco_event_from_topic, NULL);
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_event_from_topic(topic), DECC_EV_ORDERS_MATCHED));

  decc_buf b;
  decc_buf_init(&b, 0);
  decc_poco_revert r;
  memset(&r, 0, sizeof r);
  r.kind = DECC_POCO_REVERT_PANIC;
  r.panic = DECC_POCO_PANIC_OVERFLOW;
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_revert_data, NULL, &r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_revert_data, &b, NULL);
  ASSERT_EQ(b.len, 0u);
  EXPECT_OK_NO_MISUSE(decc_poco_revert_data(&b, &r));
  ASSERT_EQ(b.len, 36u);
  ASSERT_EQ(b.data[35], DECC_POCO_PANIC_OVERFLOW);
  r.kind = DECC_POCO_REVERT_NONE;
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_poco_revert_data(&b, &r), DECC_E_INVALID));
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_poco_revert_text(NULL), "no revert"));
  decc_buf_clear(&b);

  EXPECT_NO_MISUSE(decc_poco_effects_init(NULL));
  EXPECT_NO_MISUSE(decc_poco_effects_clear(NULL));
}
