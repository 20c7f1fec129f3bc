// helmholtz: does perceptual compression hurt deep learning? One binary, one subcommand per job.

#include <c10/util/Exception.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands/commands.hpp"
#include "helmholtz/core/error.hpp"
#include "helmholtz/core/exit_codes.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "helmholtz: train CNNs on JPEG- or MP3-compressed data and measure what the "
      "codec's lost bits cost"};
  app.set_version_flag("--version", HELMHOLTZ_VERSION);
  app.require_subcommand(1);
  helmholtz::commands::register_train(app);
  helmholtz::commands::register_compress(app);
  helmholtz::commands::register_models(app);
  helmholtz::commands::register_synth(app);
  helmholtz::commands::register_features(app);
  helmholtz::commands::register_bench(app);
  helmholtz::commands::register_sweep(app);
  helmholtz::commands::register_report(app);
  helmholtz::commands::register_eval(app);
  helmholtz::commands::register_preview(app);
  helmholtz::commands::register_doctor(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const helmholtz::core::RunStopped& e) {
    // Empty when the run has said why on its log already.
    if (*e.what() != '\0') std::fprintf(stderr, "%s\n", e.what());
    return e.exit_code();
  } catch (const helmholtz::core::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return helmholtz::core::kExitError;
  } catch (const c10::Error& e) {
    std::fprintf(stderr, "internal error (LibTorch): %s\n", e.what_without_backtrace());
    return helmholtz::core::kExitInternal;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return helmholtz::core::kExitInternal;
  }
  return helmholtz::core::kExitOk;
}
