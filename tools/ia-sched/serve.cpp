#include "serve.hpp"

#include <sys/stat.h>

#include <csignal>

#include "core/sd_notify.hpp"
#include "setup.hpp"

namespace ia::server {
namespace {

constexpr Millis k_shutdown_grace{10'000};

Status check_security(const config::Config& cfg, const http::ServerOptions& options,
                      Logger& log) {
  IA_TRY(http::check_tls(options));
  if (cfg.boolean("sched.legacy_open")) {
    std::string networks;
    for (const std::string& network : cfg.list("sched.legacy_networks")) {
      networks += (networks.empty() ? "" : ", ") + network;
    }
    log.warning("legacy_open: the prototype's routes are served without a token to " +
                (networks.empty() ? std::string("nobody (legacy_networks is empty)") : networks) +
                "; such callers submit as 'anonymous' and speak only for nodes no token "
                "registered");
  }
  if (!cfg.boolean("sched.insecure")) return {};
  if (!http::is_loopback(options.host)) {
    return make_error(ErrorCode::invalid_argument,
                      "--insecure is refused on " + options.host + ", which is not loopback",
                      "anyone who can reach it could run code on your nodes; listen on "
                      "127.0.0.1 or use tokens");
  }
  log.warning("--insecure: serving without tokens on loopback; a local user without a token "
              "reaches tasks submitted without one and nodes no token registered");
  return {};
}

sigset_t blocked_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

Result<int> serve(const ConfigLoader& load, Logger& log) {
  // Everything the server creates (store, WAL, token file) is its user's alone.
  umask(077);
  // Signals are taken by sigwait below, so every thread must have them blocked, the
  // store's writer thread (started by open_store) as much as the server's: one that
  // does not is where SIGHUP lands, and its default action ends the process.
  sigset_t signals = blocked_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Result<config::Config> cfg = load();
  IA_TRY(cfg);
  Result<http::ServerOptions> options = server_options(*cfg);
  IA_TRY(options);
  std::size_t open_files = open_file_limit();
  std::size_t cap = connection_cap(options->max_connections, open_files);
  if (cap < options->max_connections) {
    log.warning("max_connections " + std::to_string(options->max_connections) +
                " lowered to " + std::to_string(cap) + ": the open-file limit is " +
                std::to_string(open_files) + " (raise it with LimitNOFILE= or ulimit -n)");
    options->max_connections = cap;
  }
  IA_TRY(check_security(*cfg, *options, log));
  std::string dir = state_dir(*cfg);
  IA_TRY(ensure_dir(dir));
  Result<std::unique_ptr<store::Store>> store = store::open_store(
      store_url(*cfg),
      store::StoreOptions{store::Access::server, cfg->duration("sched.store_timeout").count()});
  if (!store) return std::move(store).error();
  if (!cfg->boolean("sched.insecure")) IA_TRY(first_admin_token(**store, dir, log));
  Result<ServiceOptions> service_settings = service_options(*cfg);
  IA_TRY(service_settings);
  Service service(std::move(*store), std::move(*service_settings), log);
  IA_TRY(service.start());
  Result<std::unique_ptr<http::Server>> server = http::Server::start(
      *options, [&service](http::Request&& request, http::Reply reply) {
        service.handle(std::move(request), std::move(reply));
      });
  if (!server) return std::move(server).error();
  service.attach(**server);
  bool tls = !options->tls_cert.empty();
  log.notice("listening on " + options->host + ":" + std::to_string((*server)->port()) +
              (tls ? " (https)" : " (http)") + ", store " + service.store().url());
  // Type=notify in ia-sched.service: started means the port answers.
  Status told = notify_service_manager("READY=1");
  if (!told) log.warning(told.error().describe());
  for (;;) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal != SIGHUP) break;
    Result<config::Config> fresh = load();
    Result<ServiceOptions> settings =
        fresh ? service_options(*fresh) : Result<ServiceOptions>(fresh.error());
    if (!settings) {
      log.error("reload: " + settings.error().describe() + "; keeping the old settings");
      continue;
    }
    service.reload(std::move(*settings));
    log.notice("reloaded the configuration");
  }
  log.notice("stopping: finishing requests in flight");
  (void)notify_service_manager("STOPPING=1");
  service.shutdown();
  (*server)->stop(k_shutdown_grace);
  service.store().close();
  log.notice("stopped");
  return 0;
}

}  // namespace ia::server
