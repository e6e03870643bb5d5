/*
 * decc/worker.h — the workerpool's off-chain services (iexec-protocol.md
 * §5.1–5.2, §2.5–2.6): a scheduler that watches SchedulerNotice for its
 * workerpool, initializes tasks, gets enclave challenges from the SMS,
 * authorizes workers, hands tasks out, finalizes replicated (trust > 1)
 * tasks after reveals and claims every task left past its final deadline;
 * and a worker that runs tasks — TEE tasks through the attested enclave
 * runtime (decc/enclave.h) ending with contributeAndFinalize, standard
 * tasks in the same sandbox with contribute / reveal.
 *
 * Both are library services driven by step functions (one round of work,
 * never blocking longer than the task it runs), so `decc node`, the
 * embedded SDK's wait loop (decc_dp_set_runner) and tests can embed them
 * (a long-running loop is step + a short sleep when nothing happened).
 *
 * Restart safety: each keeps a small durable state table (SQLite, WAL,
 * synchronous FULL) and checks the chain before every transaction
 * (initialize only an UNSET task, contribute only without a contribution,
 * finalize only a REVEALING task, claim only past the deadline …), so a
 * process killed at any point resumes or fails the task cleanly and
 * nothing is done twice on chain. See docs/internals/worker.md.
 *
 * Thread-safety: a scheduler or worker is used by one thread at a time,
 * and so is the decc_chain it borrows; decc_scheduler_assign/report are the
 * exception: they may be called from worker threads (internal mutex) while
 * the scheduler thread steps, as long as each thread has its own chain.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; err always; a body may be
 * NULL when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL when it returns a pointer; a void function returns
 * at once) without touching anything. A configuration that lacks a field
 * stays an ordinary DECC_E_INVALID error with its message.
 */
#ifndef DECC_WORKER_H
#define DECC_WORKER_H

#include "attest.h"
#include "chain.h"
#include "common.h"
#include "enclave.h"
#include "keys.h"
#include "poco.h"

#ifdef __cplusplus
extern "C" {
#endif

struct decc_sms;

/* ---- task failure causes (what `decc task show` prints) ------------------ */

typedef struct decc_task_failure {
  decc_task_cause cause;
  int exit_code;
  char detail[256];
  decc_address worker; /* who reported it (zero: the scheduler itself) */
  uint64_t updated;    /* unix seconds */
} decc_task_failure;

/* Reads the failure recorded for a task in a scheduler or worker state
 * file (read-only). Returns: DECC_OK; DECC_E_NOT_FOUND (no failure
 * recorded: the task succeeded or is unknown there); DECC_E_IO. */
DECC_API decc_status decc_task_failure_read(const char *state_path,
                                            const uint8_t taskid32[32],
                                            decc_task_failure *out,
                                            decc_err *err) DECC_WARN_UNUSED;

/* The failure recorded for a task in the state files of a data directory
 * (<home>/scheduler/state.sqlite, <home>/scheduler.sqlite, then
 * <home>/worker/state.sqlite; home
 * NULL = $DECC_HOME or ~/.decc), as one line "CAUSE: detail (exit code N)".
 * Out: *cause heap string (decc_free). Returns: DECC_OK; DECC_E_NOT_FOUND
 * (nothing recorded); DECC_E_IO; DECC_E_NOMEM. */
DECC_API decc_status decc_worker_failure_cause(const char *home,
                                               const uint8_t task_id32[32],
                                               char **cause,
                                               decc_err *err) DECC_WARN_UNUSED;

/* ---- what the scheduler gives a worker ------------------------------------- */

typedef struct decc_task_assignment {
  uint8_t task_id[32];
  uint8_t deal_id[32];
  uint64_t index;
  int tee; /* deal tag bit 0 */
  decc_address worker;
  decc_address enclave_challenge; /* zero for standard tasks */
  uint8_t authorization[65];      /* pool owner: H(worker‖task‖enclave) */
} decc_task_assignment;

/* What a worker tells the scheduler. */
typedef enum decc_report_kind {
  DECC_REPORT_CONTRIBUTED = 1, /* contribute sent (standard / trust > 1) */
  DECC_REPORT_REVEALED = 2,    /* reveal sent; results = the result link */
  DECC_REPORT_COMPLETED = 3,   /* contributeAndFinalize done */
  DECC_REPORT_FAILED = 4       /* cause / detail say why */
} decc_report_kind;

typedef struct decc_worker_report {
  uint8_t task_id[32];
  decc_address worker;
  decc_report_kind kind;
  decc_task_cause cause;
  int exit_code;
  char detail[256];
  char results[DECC_ENCLAVE_RESULTS_MAX]; /* REVEALED: task.results text */
  uint8_t callback[DECC_ENCLAVE_CALLBACK_MAX];
  size_t callback_len;
} decc_worker_report;

/* ---- scheduler ------------------------------------------------------------------ */

typedef struct decc_scheduler_config {
  decc_chain *chain;        /* borrowed; the scheduler thread's handle */
  const uint8_t *pool_sk32; /* workerpool owner key (copied, secure mem) */
  decc_address workerpool;  /* zero: every workerpool the key owns,
                                 including those deployed or transferred to
                                 it after the scheduler started */
  struct decc_sms *sms;     /* in-process SMS, or … */
  const char *sms_url;      /* … a remote one (one of them for TEE tasks) */
  const char *state_path;   /* SQLite state file (created) */
  uint64_t from_block;      /* first block scanned on a fresh state */
  unsigned max_replicas;    /* standard tasks: workers per task, default
                                 = deal trust (at least 1) */
  void (*log)(void *ctx, const char *line); /* one line per action */
  void *log_ctx;
  /* An SMS client (decc/sms_client.h, borrowed: it must outlive the
   * scheduler) used instead of sms / sms_url when set. */
  struct decc_sms_client *sms_client;
} decc_scheduler_config;

typedef struct decc_scheduler decc_scheduler;

/* Creates the scheduler (opens / creates its state, checks that the key
 * owns the workerpool). Returns: DECC_OK; DECC_E_INVALID (missing field);
 * DECC_E_DENIED (the key does not own the workerpool); DECC_E_IO; chain
 * errors. */
DECC_API decc_status decc_scheduler_create(decc_scheduler **out,
                                           const decc_scheduler_config *cfg,
                                           decc_err *err) DECC_WARN_UNUSED;
/* Wipes the key, closes the state. NULL is a no-op. */
DECC_API void decc_scheduler_destroy(decc_scheduler *s);

/* One round: new SchedulerNotice logs → tasks recorded; UNSET tasks
 * initialized; TEE tasks get their enclave challenge; REVEALING tasks
 * whose reveals are in are finalized with the revealed result link; tasks
 * past their final deadline are claimed (cause recorded). Out: *actions
 * (optional) = transactions / SMS calls made. Returns: DECC_OK or the
 * first error that stopped the round (the state stays consistent: the
 * next round retries). */
DECC_API decc_status decc_scheduler_step(decc_scheduler *s, size_t *actions,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Hands a task to worker (which it has not had yet), signing its
 * WorkerpoolAuthorization. Out: *a. Returns: DECC_OK; DECC_E_NOT_FOUND
 * (nothing to do now); DECC_E_IO. */
DECC_API decc_status decc_scheduler_assign(decc_scheduler *s,
                                           const decc_address *worker,
                                           decc_task_assignment *a,
                                           decc_err *err) DECC_WARN_UNUSED;
/* Records a worker's report. Returns: DECC_OK; DECC_E_NOT_FOUND (unknown
 * task / assignment); DECC_E_IO. */
DECC_API decc_status decc_scheduler_report(decc_scheduler *s,
                                           const decc_worker_report *r,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Counts tasks by state: open (not yet ended) and ended (completed,
 * failed or claimed) in the scheduler's table. open and ended are each
 * optional. */
DECC_API void decc_scheduler_counts(decc_scheduler *s, size_t *open,
                                    size_t *ended);

/* ---- worker ----------------------------------------------------------------------- */

/* Where a worker gets its tasks: an in-process scheduler, or a remote one
 * by URL (scheduler_url, the HTTP protocol below). */
typedef struct decc_worker_config {
  decc_chain *chain;               /* borrowed; the worker thread's handle */
  const uint8_t *worker_sk32;      /* worker wallet key (copied, secure mem) */
  decc_scheduler *scheduler;       /* task source */
  struct decc_sms *sms;            /* in-process SMS, or … */
  const char *sms_url;             /* … a remote one */
  decc_enclave_store store;        /* results and inputs */
  const decc_tee_backend *backend; /* NULL: standard tasks only */
  const char *dir;                 /* state.sqlite, work/, logs/ (created) */
  decc_enclave_limits limits;      /* zeroed = defaults */
  void (*log)(void *ctx, const char *line);
  void *log_ctx;
  /* A remote scheduler instead of `scheduler` (used when scheduler is
   * NULL): the base URL of a node with the scheduler role, e.g.
   * "http://10.0.0.1:8545" (no path). Requests are signed with the worker
   * key (decc_scheduler_request_digest). */
  const char *scheduler_url;
  /* An SMS client (decc/sms_client.h, borrowed: it must outlive the
   * worker) used instead of sms / sms_url when set. */
  struct decc_sms_client *sms_client;
  /* The program each TEE task's enclave runs as (decc_enclave_launch's
   * exec_path: a fresh image instead of a forked copy of this
   * multi-threaded worker; the decc binary). NULL: the forked copy. */
  const char *enclave_exec;
} decc_worker_config;

typedef struct decc_worker decc_worker;

/* Creates the worker (dir layout, state). Returns: DECC_OK;
 * DECC_E_INVALID; DECC_E_IO. */
DECC_API decc_status decc_worker_create(decc_worker **out,
                                        const decc_worker_config *cfg,
                                        decc_err *err) DECC_WARN_UNUSED;
/* Wipes the key, closes the state. NULL is a no-op. */
DECC_API void decc_worker_destroy(decc_worker *w);
/* The worker's address. */
DECC_API const decc_address *decc_worker_address(const decc_worker *w);

/* One round: finishes what the state table says is pending (reveal a
 * contribution whose consensus is reached, re-check an interrupted
 * transaction, re-run an interrupted task), then takes at most one new
 * assignment and runs it to its transaction. Out: *actions (optional).
 * Returns: DECC_OK (whatever the task's fate: failures are recorded, with
 * their cause, and reported); errors of the state store / chain reads. */
DECC_API decc_status decc_worker_step(decc_worker *w, size_t *actions,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Task logs (the app's stdout / stderr and the exit cause), kept in
 * <dir>/logs/<taskid>.json (mode 0600) and readable by the deal's
 * requester only: auth_sig65 must be the requester's personal_sign of
 * keccak256("DECC_TASK_LOGS" ‖ taskid). Out: *json (decc_free)
 * {"taskId","cause","exitCode","detail","stdout","stderr"}.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no logs for the task);
 * DECC_E_DENIED (not the requester); chain errors. */
DECC_API decc_status decc_worker_task_logs(decc_worker *w,
                                           const uint8_t taskid32[32],
                                           const uint8_t auth_sig65[65],
                                           char **json,
                                           decc_err *err) DECC_WARN_UNUSED;
/* The digest the requester signs to read logs (see above). */
DECC_API void decc_worker_logs_message(uint8_t out32[32],
                                       const uint8_t taskid32[32]);

/* ---- remote scheduler protocol (docs/api/http.md, "Scheduler") --------------
 *
 * A worker on another host asks a node's scheduler for tasks over HTTP:
 *   POST /scheduler/replicates/available        → 200 assignment JSON | 204
 *   POST /scheduler/replicates/{taskid}/status  body: report JSON → 200
 * Every request carries X-Decc-Worker (address), X-Decc-Timestamp (unix
 * milliseconds) and X-Decc-Signature (personal_sign by the worker of
 * decc_scheduler_request_digest). The scheduler accepts a timestamp only
 * within DECC_SCHED_AUTH_WINDOW_MS of its clock, strictly greater than the
 * last one it accepted from that worker and not older than its own start,
 * so a captured request cannot be replayed. */
#define DECC_SCHED_AUTH_WINDOW_MS 60000u
#define DECC_SCHED_PATH_AVAILABLE "/scheduler/replicates/available"

/* keccak256("DECC-SCHEDULER-V1" ‖ 0x00 ‖ method ‖ 0x00 ‖ path ‖ 0x00 ‖
 * worker(20) ‖ uint64be(ts_ms) ‖ keccak256(body)). */
DECC_API void decc_scheduler_request_digest(uint8_t out32[32],
                                            const char *method,
                                            const char *path,
                                            const decc_address *worker,
                                            uint64_t ts_ms, const void *body,
                                            size_t body_len);

/* An assignment as JSON (iExec's WorkerpoolAuthorization names plus the
 * deal position): {"worker","taskid","enclaveChallenge","signature",
 * "dealid","index","tee"}. Out: *json (decc_free).
 * Returns: DECC_OK; DECC_E_NOMEM. */
DECC_API decc_status decc_assignment_to_json(
    char **json, const decc_task_assignment *a) DECC_WARN_UNUSED;
/* Parses it back. Returns: DECC_OK; DECC_E_PARSE (err says which field). */
DECC_API decc_status decc_assignment_from_json(decc_task_assignment *a,
                                               const char *json, size_t len,
                                               decc_err *err) DECC_WARN_UNUSED;
/* A report body: {"kind":"CONTRIBUTED|REVEALED|COMPLETED|FAILED","cause",
 * "exitCode","detail","results","callback":"0x…"} (the task id travels in
 * the path, the worker in the signed headers). Out: *json (decc_free). */
DECC_API decc_status
decc_report_to_json(char **json, const decc_worker_report *r) DECC_WARN_UNUSED;
/* Parses a report body into r (task_id and worker left zero).
 * Returns: DECC_OK; DECC_E_PARSE; DECC_E_LIMIT (field too long). */
DECC_API decc_status decc_report_from_json(decc_worker_report *r,
                                           const char *json, size_t len,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Client side: asks the scheduler at base_url for the next task of the
 * worker whose key is sk32. Out: *a. Returns: DECC_OK; DECC_E_NOT_FOUND
 * (204: nothing now); DECC_E_DENIED (401/403: worker not allowed or bad
 * signature); DECC_E_NETWORK / DECC_E_TIMEOUT; DECC_E_PARSE. */
DECC_API decc_status decc_scheduler_remote_assign(
    const char *base_url, const uint8_t sk32[32], decc_task_assignment *a,
    decc_err *err) DECC_WARN_UNUSED;
/* Sends a report (r->worker must be the key's address). Returns: DECC_OK;
 * DECC_E_NOT_FOUND (unknown assignment); DECC_E_DENIED; network errors. */
DECC_API decc_status decc_scheduler_remote_report(
    const char *base_url, const uint8_t sk32[32], const decc_worker_report *r,
    decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_WORKER_H */
