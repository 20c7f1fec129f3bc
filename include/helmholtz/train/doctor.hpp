#pragma once
// `helmholtz doctor`: whether each fast path of training gives the plain path's answer on this
// machine, and how fast one setting trains. Each check runs both paths from the same seed on
// generated images and compares what they computed against a stated tolerance:
//
//   cuda-graphs    steps replayed from CUDA graphs vs the same steps eager, fp32, with
//                  deterministic cuDNN: the weights after them equal to 1e-6 (CUDA only)
//   bf16           bfloat16 autocast vs float32: one step's loss within 1% and its gradient's
//                  cosine with float32's at least 0.99
//   augmentation   the shift and flip on the training device vs on the CPU, from the same
//                  draws: pixels equal to 1e-4 (a GPU only; on the CPU both are the same path)
//   channels-last  NHWC weights and batches vs contiguous: logits and gradients equal to 1e-4
//                  relative
//   checkpoint     a checkpoint (model, optimizer, state) written from the device and loaded
//                  on the CPU: every weight bit for bit
//
// A failed check names the option that avoids the fast path. Checks are library functions
// (tests call them one by one); `tamper` changes the fast path's result before the comparison,
// so that a test can make the two paths differ and see the check fail.

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "helmholtz/run/spec.hpp"
#include "helmholtz/train/throughput.hpp"

namespace helmholtz::train {

enum class CheckStatus { kOk, kFailed, kSkipped };
std::string to_string(CheckStatus status);

struct CheckResult {
  std::string name;  // "cuda-graphs", "bf16", ...
  CheckStatus status = CheckStatus::kSkipped;
  std::string detail;                // what was compared and found, or why it was skipped
  std::optional<double> difference;  // the measured difference, in the tolerance's unit
  std::optional<double> tolerance;
  std::string avoid;  // the option that avoids the fast path ("--no-cuda-graphs")
};

// What every check trains: the spec's network (a finalized spec: its architecture, dataset
// shape and identity) on generated images of the dataset's shape, a batch of `batch`, on
// `device`, from `seed`.
struct DoctorSetup {
  DoctorSetup() {}  // NOLINT(modernize-use-equals-default): no aggregate, set fields by name
  run::RunSpec spec;
  torch::Device device = torch::kCPU;
  std::int64_t batch = 16;
  std::uint64_t seed = 7;
};

// Applied to the fast path's result tensor before it is compared (tests only).
using Tamper = std::function<void(torch::Tensor&)>;

CheckResult check_cuda_graphs(const DoctorSetup& setup, const Tamper& tamper = {});
CheckResult check_bf16(const DoctorSetup& setup, const Tamper& tamper = {});
// Compares the setup's device with the CPU; on the CPU (nothing else to compare) it is skipped
// unless `compare_on_cpu` (tests: the same comparison, both sides on the CPU).
CheckResult check_augmentation(const DoctorSetup& setup, const Tamper& tamper = {},
                               bool compare_on_cpu = false);
CheckResult check_channels_last(const DoctorSetup& setup, const Tamper& tamper = {});
CheckResult check_checkpoint(const DoctorSetup& setup, const Tamper& tamper = {});

// All of the above, in that order.
std::vector<CheckResult> run_checks(const DoctorSetup& setup);

// The software the device runs with: "1.13.1"; CUDA runtime and cuDNN versions, or why none.
struct Versions {
  std::string torch;
  std::string cuda;
  std::string cudnn;
};
Versions versions();

}  // namespace helmholtz::train
