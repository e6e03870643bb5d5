/*
 * test_deploy.c — the parts of decc/deploy.h that need no EVM node: the
 * DataProtector compiled into the library is the committed artifact and
 * implements the interface decc calls; decc_poco_deployment_check against
 * the embedded ledger (whose contracts report code and answer the hub and
 * DataProtector views); decc_poco_deploy refusing bad artifact folders
 * before sending anything. The deployment itself runs against anvil in
 * tests/integration/test_chain_deploy.sh.
 */
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/deploy.h"
#include "decc/encoding.h"
#include "decc/ledger.h"
#include "test.h"

TEST(builtin_dataprotector_is_the_committed_artifact) {
  json_error_t je;
  json_t *j = json_load_file(
      DECC_SOURCE_DIR "/contracts/build/DataProtector.json", 0, &je);
  ASSERT(j != NULL);
  const char *hex, *compiler, *sha;
  decc_dataprotector_builtin(&hex, &compiler, &sha);
  ASSERT_STR_EQ(hex, json_string_value(json_object_get(j, "bytecode")));
  ASSERT_STR_EQ(compiler,
                json_string_value(json_object_get(j, "compilerVersion")));
  ASSERT_STR_EQ(sha, json_string_value(json_object_get(j, "sourceHash")));
  json_decref(j);
  /* The dispatcher compares against each selector with PUSH4 (0x63 ‖
   * selector), and the event topic is a PUSH32 (0x7f ‖ topic). */
  const char *sigs[] = {
      "createDatasetWithSchema(address,string,string,bytes,bytes32)",
      "DATASET_REGISTRY()"};
  for (size_t i = 0; i < 2; i++) {
    uint8_t s[4];
    char h[16] = "63";
    decc_abi_selector(s, sigs[i]);
    decc_hex_encode(h + 2, s, 4, 0);
    ASSERT(strstr(hex, h) != NULL);
  }
  uint8_t t[32];
  char th[70] = "7f";
  decc_abi_event_topic(t, "DatasetSchema(address,string)");
  decc_hex_encode(th + 2, t, 32, 0);
  ASSERT(strstr(hex, th) != NULL);
}

static decc_chain *embedded(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/ledger.sqlite", decc_test_tmpdir());
  decc_genesis g;
  if (decc_genesis_default(&g) != DECC_OK)
    return NULL;
  decc_status s = decc_ledger_init(path, &g, NULL);
  decc_genesis_clear(&g);
  decc_chain *c = NULL;
  if (s == DECC_OK && decc_chain_open_embedded(&c, path, NULL) != DECC_OK)
    c = NULL;
  return c;
}

TEST(check_accepts_the_embedded_deployment_and_refuses_wrong_addresses) {
  decc_chain *c = embedded();
  ASSERT(c != NULL);
  decc_chain_addresses a, b;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_chain_get_addresses(c, &a, &err));
  ASSERT_OK(decc_poco_deployment_check(c, &a, &err));

  /* Registries swapped: every address has code, the hub's view disagrees. */
  b = a;
  b.app_registry = a.dataset_registry;
  b.dataset_registry = a.app_registry;
  ASSERT_EQ(decc_poco_deployment_check(c, &b, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "appregistry() answers") != NULL);

  /* A DataProtector address without code. */
  b = a;
  memset(b.dataprotector.b, 0x42, 20);
  ASSERT_EQ(decc_poco_deployment_check(c, &b, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, "DataProtector") != NULL);
  ASSERT(strstr(err.msg, "no code") != NULL);

  /* DataProtector that is another contract (the token): its view fails. */
  b = a;
  b.dataprotector = a.token;
  ASSERT(decc_poco_deployment_check(c, &b, &err) != DECC_OK);
  ASSERT(strstr(err.msg, "DataProtector") != NULL);

  ASSERT_EQ(decc_poco_deployment_check(NULL, &a, &err), DECC_E_INVALID);
  decc_chain_destroy(c);
}

/* ---- a synthetic @iexec/poco folder ------------------------------------- */

static int put(const char *root, const char *rel, const char *text) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  for (char *p = path + strlen(root) + 1; *p; p++)
    if (*p == '/') {
      *p = 0;
      mkdir(path, 0700);
      *p = '/';
    }
  FILE *f = fopen(path, "w");
  if (!f)
    return -1;
  fputs(text, f);
  return fclose(f);
}

static const char *FACETS[] = {"IexecAccessorsABILegacyFacet",
                               "IexecCategoryManagerFacet",
                               "IexecConfigurationFacet",
                               "IexecConfigurationExtraFacet",
                               "IexecERC20Facet",
                               "IexecEscrowTokenFacet",
                               "IexecOrderManagementFacet",
                               "IexecPoco1Facet",
                               "IexecPoco2Facet",
                               "IexecPocoAccessorsFacet",
                               "IexecRelayFacet"};

/* Every file decc_poco_deploy reads, tiny but well-formed; facet 0 links
 * `lib` and declares a function taking `abi_type` (a tuple with
 * components, or a malformed one). */
static const char *fake_poco_at(const char *version, const char *lib,
                                const char *abi_param, int link_start) {
  static char root[512];
  snprintf(root, sizeof root, "%s/poco", decc_test_tmpdir());
  mkdir(root, 0700);
  char buf[2048], rel[256];
  snprintf(buf, sizeof buf, "{\"name\":\"@iexec/poco\",\"version\":\"%s\"}",
           version);
  int bad = put(root, "package.json", buf);
  const char *plain = "{\"abi\":[],\"bytecode\":\"0x6000\"}";
  const char *dep[] = {"RLC", "DiamondCutFacet", "DiamondLoupeFacet",
                       "OwnershipFacet", "DiamondInit"};
  for (size_t i = 0; i < 5; i++) {
    snprintf(rel, sizeof rel, "deployments/arbitrumSepolia/%s.json", dep[i]);
    bad |= put(root, rel, plain);
  }
  bad |= put(root,
             "artifacts/contracts/libs/IexecLibOrders_v5.sol/"
             "IexecLibOrders_v5.json",
             plain);
  bad |= put(root, "artifacts/contracts/Diamond.sol/Diamond.json", plain);
  const char *regs[] = {"apps/AppRegistry", "datasets/DatasetRegistry",
                        "workerpools/WorkerpoolRegistry"};
  for (size_t i = 0; i < 3; i++) {
    const char *name = strrchr(regs[i], '/') + 1;
    snprintf(rel, sizeof rel, "artifacts/contracts/registries/%s.sol/%s.json",
             regs[i], name);
    bad |= put(root, rel, plain);
  }
  for (size_t i = 0; i < 11; i++) {
    snprintf(rel, sizeof rel, "artifacts/contracts/facets/%s.sol/%s.json",
             FACETS[i], FACETS[i]);
    if (i == 0)
      snprintf(
          buf, sizeof buf,
          "{\"abi\":[{\"type\":\"function\",\"name\":\"f\","
          "\"inputs\":[%s]}],"
          "\"bytecode\":\"0x73__$9d824026d0515d8abd681f0f0f4707f16a$__00\","
          "\"linkReferences\":{\"contracts/libs/x.sol\":{\"%s\":"
          "[{\"start\":%d,\"length\":20}]}}}",
          abi_param, lib, link_start);
    else
      snprintf(buf, sizeof buf, "%s", plain);
    bad |= put(root, rel, buf);
  }
  return bad ? NULL : root;
}

static const char *fake_poco(const char *version, const char *lib,
                             const char *abi_param) {
  return fake_poco_at(version, lib, abi_param, 1);
}

static const char *TUPLE_PARAM =
    "{\"type\":\"tuple[]\",\"components\":[{\"type\":\"address\"},"
    "{\"type\":\"tuple\",\"components\":[{\"type\":\"bytes4[]\"}]}]}";

TEST(deploy_refuses_bad_artifacts_before_sending) {
  decc_chain *c = embedded();
  ASSERT(c != NULL);
  uint8_t sk[32];
  ASSERT_OK(decc_ledger_dev_key(sk, 0));
  decc_address me;
  ASSERT_OK(decc_address_from_privkey(&me, sk));
  uint64_t n0 = 0, n1 = 0;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_chain_nonce(c, &me, &n0, &err));
  decc_chain_addresses out;
  decc_poco_deploy_opts o;
  memset(&o, 0, sizeof o);

  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_INVALID);

  char missing[600];
  snprintf(missing, sizeof missing, "%s/nothing", decc_test_tmpdir());
  o.artifacts_dir = missing;
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, missing) != NULL);

  o.artifacts_dir = fake_poco("6.0.0", "IexecLibOrders_v5", TUPLE_PARAM);
  ASSERT(o.artifacts_dir != NULL);
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_UNSUPPORTED);
  ASSERT(strstr(err.msg, "decc deploys @iexec/poco 6.1.0") != NULL);

  /* A facet linking a library decc does not deploy. */
  o.artifacts_dir = fake_poco("6.1.0", "OtherLib", TUPLE_PARAM);
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_UNSUPPORTED);
  ASSERT(strstr(err.msg, "OtherLib") != NULL);
  ASSERT(strstr(err.msg, "IexecAccessorsABILegacyFacet.json") != NULL);

  /* A link reference that does not point at the placeholder, or past the
   * end of the code. */
  o.artifacts_dir = fake_poco_at("6.1.0", "IexecLibOrders_v5", TUPLE_PARAM, 0);
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "not a placeholder") != NULL);
  o.artifacts_dir = fake_poco_at("6.1.0", "IexecLibOrders_v5", TUPLE_PARAM, 3);
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_PARSE);

  /* A tuple parameter without components. */
  o.artifacts_dir =
      fake_poco("6.1.0", "IexecLibOrders_v5", "{\"type\":\"tuple\"}");
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "malformed function") != NULL);

  /* A DataProtector artifact that is not one. */
  o.artifacts_dir = fake_poco("6.1.0", "IexecLibOrders_v5", TUPLE_PARAM);
  char dp[600];
  snprintf(dp, sizeof dp, "%s/dp.json", decc_test_tmpdir());
  ASSERT_OK(put(decc_test_tmpdir(), "dp.json", "{\"bytecode\":\"0xzz\"}"));
  o.dataprotector_artifact = dp;
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "dp.json") != NULL);

  /* Well-formed folder: every file loads, linking and selectors included;
   * the first transaction is where the embedded ledger (no EVM) stops. */
  o.dataprotector_artifact = NULL;
  ASSERT_EQ(decc_poco_deploy(c, sk, &o, &out, &err), DECC_E_UNSUPPORTED);
  ASSERT(strncmp(err.msg, "deploy RLC: ", 12) == 0);

  ASSERT_OK(decc_chain_nonce(c, &me, &n1, &err));
  ASSERT_EQ(n1, n0);
  decc_chain_destroy(c);
}
