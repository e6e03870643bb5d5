/*
 * app_python.c — `decc app init --lang python`: a sample iApp in Python.
 * The app directory gets decc-app.json (entrypoint app.py), app.py and
 * decc_protected.py, the reader of protected data that decc ships
 * (python/decc_protected.py, embedded in the command at build time), so the
 * reader is part of the bundle and of the app's measurement.
 *
 * The interpreter is not in the bundle: the enclave sandbox binds the
 * worker host's /usr read-only, so /usr/bin/python3 is the worker's (decc's
 * set-up installs python3; docs/internals/enclave.md). A workerpool without
 * python3 fails such a task with the app's exit code 127.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_bundle.h"
#include "decc/bundle.h"
#include <jansson.h>

static const char PY_APP[] =
    "#!/usr/bin/python3\n"
    "\"\"\"A decc iApp in Python: reads the protected data (if the task has\n"
    "one) with decc_protected, the reader shipped next to this file, and\n"
    "writes result.json and computed.json to $IEXEC_OUT. It runs in the\n"
    "enclave: no network, read-only inputs, only $IEXEC_OUT is writable;\n"
    "python3 and its standard library come from the worker's /usr.\n"
    "Try it: decc app test . --protected-data record.json --args hello\"\"\"\n"
    "import json\n"
    "import os\n"
    "import sys\n"
    "\n"
    "# No __pycache__ next to the sources: the bundle (and so the app's\n"
    "# measurement) must not change because the app was run locally.\n"
    "sys.dont_write_bytecode = True\n"
    "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
    "from decc_protected import ProtectedData, ProtectedDataError, "
    "default_path  # noqa: E402\n"
    "\n"
    "\n"
    "def main():\n"
    "    out = os.environ.get(\"IEXEC_OUT\", \"/iexec_out\")\n"
    "    result = {\"args\": \" \".join(sys.argv[1:]), \"entries\": 0}\n"
    "    path = default_path()\n"
    "    if path and os.path.exists(path):\n"
    "        with ProtectedData(path) as pd:\n"
    "            result[\"entries\"] = len(pd.paths())\n"
    "            try:\n"
    "                email = pd.get_string(\"email\")\n"
    "                result[\"emailDomain\"] = email.rsplit(\"@\", 1)[-1]\n"
    "            except ProtectedDataError as e:\n"
    "                print(\"no email: %s\" % e, file=sys.stderr)\n"
    "    with open(os.path.join(out, \"result.json\"), \"w\") as f:\n"
    "        json.dump(result, f)\n"
    "        f.write(\"\\n\")\n"
    "    with open(os.path.join(out, \"computed.json\"), \"w\") as f:\n"
    "        json.dump({\"deterministic-output-path\":\n"
    "                   os.path.join(out, \"result.json\")}, f)\n"
    "    print(\"done: %s\" % json.dumps(result))\n"
    "\n"
    "\n"
    "if __name__ == \"__main__\":\n"
    "    main()\n";

static decc_status write_new(const char *dir, const char *name,
                             const void *text, size_t n, unsigned mode,
                             decc_err *err) {
  char p[4096];
  if (snprintf(p, sizeof p, "%s/%s", dir, name) >= (int)sizeof p)
    return decc_err_set(err, DECC_E_INVALID, "%s: path too long", dir);
  int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                (mode_t)mode);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", p, strerror(errno));
  ssize_t w = write(fd, text, n);
  int e = w != (ssize_t)n ? (w < 0 ? errno : ENOSPC) : 0;
  if (!e && fchmod(fd, (mode_t)mode) != 0) /* umask must not drop +x */
    e = errno;
  if (close(fd) != 0 && !e)
    e = errno;
  return e ? decc_err_set(err, DECC_E_IO, "%s: %s", p, strerror(e)) : DECC_OK;
}

decc_status cli_app_scaffold_python(const char *dir, const char *name,
                                    decc_err *err) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
  DIR *d = opendir(dir);
  if (!d)
    return decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
  struct dirent *de;
  int empty = 1;
  while ((de = readdir(d)))
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
      empty = 0;
  closedir(d);
  if (!empty)
    return decc_err_set(err, DECC_E_EXISTS, "%s is not empty", dir);
  const char *nm = name && *name ? name : "hello-python";
  json_t *man = json_pack("{s:s,s:s,s:s}", "name", nm, "version", "1.0.0",
                          "entrypoint", "app.py");
  char *mtext =
      man ? json_dumps(man, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(man);
  if (!mtext)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  char with_nl[1024];
  int n = snprintf(with_nl, sizeof with_nl, "%s\n", mtext);
  free(mtext);
  if (n < 0 || (size_t)n >= sizeof with_nl)
    return decc_err_set(err, DECC_E_INVALID, "app name too long");
  decc_status st =
      write_new(dir, DECC_BUNDLE_MANIFEST, with_nl, (size_t)n, 0644, err);
  if (!st)
    st = write_new(dir, "app.py", PY_APP, sizeof PY_APP - 1, 0755, err);
  if (!st)
    st = write_new(dir, "decc_protected.py", decc_py_reader, decc_py_reader_len,
                   0644, err);
  return st;
}
