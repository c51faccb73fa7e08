#pragma once
// The startup check of what the RELABEL_REGISTER_* lines registered (cli/main.cpp runs it before
// any verb). A registration mistake would otherwise give a wrong experiment without an error: a
// duplicate name whose winner depends on the link order, a key merged into an engine key, a
// default its own rule refuses (found only by `relabel run`), an offline method without a model.
// Registering cannot throw (static initialisation), so the mistakes are refused here.
#include <string>
#include <vector>

namespace relabel::algos {
struct RewardMethodInfo;
struct PolicyAlgoInfo;
}  // namespace relabel::algos
namespace relabel::envs {
struct TaskInfo;
}  // namespace relabel::envs

namespace relabel::config {

// Every registered entry, duplicates included: a name listed twice is registered twice.
struct Registrations {
  std::vector<const algos::RewardMethodInfo*> reward_methods;
  std::vector<const algos::PolicyAlgoInfo*> policy_algos;
  std::vector<const envs::TaskInfo*> tasks;
};

// The first problem found, as one line naming the entry, its file and what it must provide or
// change; "" when there is none. Pure: tests feed it crafted entries.
std::string registration_problem(const Registrations& registrations);

// What the registries hold: their entries, then the duplicates they set aside.
Registrations registered();

// Throws relabel::Error (exit 2) with the live registries' problem, if any.
void check_registrations();

// How the messages name an entry: "reward method 'cdred' (algos/reward/cdred_reward.cpp)".
std::string describe(const algos::RewardMethodInfo& method);
std::string describe(const algos::PolicyAlgoInfo& learner);
std::string describe(const envs::TaskInfo& task);

}  // namespace relabel::config
