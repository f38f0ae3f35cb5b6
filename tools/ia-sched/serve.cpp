#include "serve.hpp"

#include <csignal>

#include "setup.hpp"

namespace ia::server {
namespace {

constexpr Millis k_shutdown_grace{10'000};

Status check_security(const config::Config& cfg, const http::ServerOptions& options,
                      Logger& log) {
  IA_TRY(http::check_tls(options));
  if (!cfg.boolean("sched.insecure")) return {};
  if (!http::is_loopback(options.host)) {
    return make_error(ErrorCode::invalid_argument,
                      "--insecure is refused on " + options.host + ", which is not loopback",
                      "anyone who can reach it could run code on your nodes; listen on "
                      "127.0.0.1 or use tokens");
  }
  log.warning("--insecure: serving without tokens on loopback; every local user is admin");
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
  Result<config::Config> cfg = load();
  IA_TRY(cfg);
  Result<http::ServerOptions> options = server_options(*cfg);
  IA_TRY(options);
  IA_TRY(check_security(*cfg, *options, log));
  std::string dir = state_dir(*cfg);
  IA_TRY(ensure_dir(dir));
  Result<std::unique_ptr<store::Store>> store = store::open_store(store_url(*cfg));
  if (!store) return std::move(store).error();
  if (!cfg->boolean("sched.insecure")) IA_TRY(first_admin_token(**store, dir, log));
  Service service(std::move(*store), service_options(*cfg), log);
  IA_TRY(service.start());
  // Signals are taken by sigwait below, so every server thread must have them blocked.
  sigset_t signals = blocked_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Result<std::unique_ptr<http::Server>> server = http::Server::start(
      *options, [&service](http::Request&& request, http::Reply reply) {
        service.handle(std::move(request), std::move(reply));
      });
  if (!server) return std::move(server).error();
  service.attach(**server);
  bool tls = !options->tls_cert.empty();
  log.notice("listening on " + options->host + ":" + std::to_string((*server)->port()) +
              (tls ? " (https)" : " (http)") + ", store " + service.store().url());
  for (;;) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal != SIGHUP) break;
    Result<config::Config> fresh = load();
    if (!fresh) {
      log.error("reload: " + fresh.error().describe() + "; keeping the old settings");
      continue;
    }
    service.reload(service_options(*fresh));
    log.notice("reloaded the configuration");
  }
  log.notice("stopping: finishing requests in flight");
  service.shutdown();
  (*server)->stop(k_shutdown_grace);
  service.store().close();
  log.notice("stopped");
  return 0;
}

}  // namespace ia::server
