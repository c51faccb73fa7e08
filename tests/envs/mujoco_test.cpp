// MuJoCo locomotion tasks: compiled models against docs/envs.md, task rules on constructed
// states, resets, action handling and failure reporting.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/error.h"
#include "envs/registry.h"

#ifdef RELABEL_HAVE_MUJOCO
#include "envs/mujoco/locomotion.h"
#include "envs/mujoco/model_cache.h"
#endif

namespace relabel::envs {
namespace {

#ifndef RELABEL_HAVE_MUJOCO

TEST(Mujoco, TasksNeedMujocoBuild) {
  EXPECT_FALSE(has_task("hopper"));
  try {
    find_task("hopper");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lacks it"), std::string::npos) << e.what();
  }
}

#else

std::unique_ptr<LocomotionEnv> make(const std::string& task) {
  std::unique_ptr<Env> env = make_env(task);
  auto* loco = dynamic_cast<LocomotionEnv*>(env.get());
  EXPECT_NE(loco, nullptr);
  env.release();
  return std::unique_ptr<LocomotionEnv>(loco);
}

double body_mass(const mjModel* m, const char* body) {
  const int id = mj_name2id(m, mjOBJ_BODY, body);
  EXPECT_GE(id, 0) << body;
  return id >= 0 ? m->body_mass[id] : 0.0;
}

TEST(Mujoco, HopperModelMatchesSpec) {
  const mjModel* m = shared_model("hopper.xml");
  EXPECT_EQ(m->nq, 6);
  EXPECT_EQ(m->nv, 6);
  EXPECT_EQ(m->nu, 3);
  EXPECT_EQ(m->opt.integrator, mjINT_RK4);
  EXPECT_DOUBLE_EQ(m->opt.timestep, 0.002);
  // docs/envs.md: under 2.2.2 the masses compile to these (within 1%).
  EXPECT_NEAR(body_mass(m, "torso"), 3.665, 0.01 * 3.665);
  EXPECT_NEAR(body_mass(m, "thigh"), 4.058, 0.01 * 4.058);
  EXPECT_NEAR(body_mass(m, "leg"), 2.781, 0.01 * 2.781);
  EXPECT_NEAR(body_mass(m, "foot"), 5.316, 0.01 * 5.316);
  for (int i = 0; i < m->nu; ++i) EXPECT_DOUBLE_EQ(m->actuator_gear[6 * i], 200.0);
  // Root: unlimited, no armature or damping; torso height 1.25 is qpos0[1].
  for (int j = 0; j < 3; ++j) {
    EXPECT_FALSE(m->jnt_limited[j]);
    EXPECT_EQ(m->dof_armature[j], 0.0);
    EXPECT_EQ(m->dof_damping[j], 0.0);
  }
  EXPECT_DOUBLE_EQ(m->qpos0[1], 1.25);
  for (int j = 3; j < 6; ++j) {
    EXPECT_TRUE(m->jnt_limited[j]);
    EXPECT_EQ(m->dof_armature[j], 1.0);
    EXPECT_EQ(m->dof_damping[j], 1.0);
  }
  EXPECT_NEAR(m->jnt_range[2 * 3], -150.0 * M_PI / 180.0, 1e-9);
  EXPECT_NEAR(m->jnt_range[2 * 5 + 1], 45.0 * M_PI / 180.0, 1e-9);
  EXPECT_EQ(m->geom_friction[3 * mj_name2id(m, mjOBJ_GEOM, "foot_geom")], 2.0);
}

TEST(Mujoco, Walker2dModelMatchesSpec) {
  const mjModel* m = shared_model("walker2d.xml");
  EXPECT_EQ(m->nq, 9);
  EXPECT_EQ(m->nv, 9);
  EXPECT_EQ(m->nu, 6);
  EXPECT_EQ(m->opt.integrator, mjINT_RK4);
  EXPECT_DOUBLE_EQ(m->opt.timestep, 0.002);
  EXPECT_NEAR(body_mass(m, "torso"), 3.665, 0.01 * 3.665);
  for (const char* b : {"thigh", "thigh_left"}) EXPECT_NEAR(body_mass(m, b), 4.058, 0.04);
  for (const char* b : {"leg", "leg_left"}) EXPECT_NEAR(body_mass(m, b), 2.781, 0.03);
  // Feet: capsule r 0.06 from x 0 to 0.2, density 1000.
  const double foot = 1000.0 * (M_PI * 0.06 * 0.06 * 0.2 + 4.0 / 3.0 * M_PI * std::pow(0.06, 3));
  for (const char* b : {"foot", "foot_left"}) EXPECT_NEAR(body_mass(m, b), foot, 0.01 * foot);
  for (int i = 0; i < m->nu; ++i) EXPECT_DOUBLE_EQ(m->actuator_gear[6 * i], 100.0);
  EXPECT_EQ(m->geom_friction[3 * mj_name2id(m, mjOBJ_GEOM, "foot_geom")], 0.9);
  EXPECT_EQ(m->geom_friction[3 * mj_name2id(m, mjOBJ_GEOM, "foot_left_geom")], 1.9);
  EXPECT_NEAR(m->dof_armature[3], 0.01, 1e-12);
  EXPECT_NEAR(m->dof_damping[3], 0.1, 1e-12);
}

TEST(Mujoco, HalfCheetahModelMatchesSpec) {
  const mjModel* m = shared_model("halfcheetah.xml");
  EXPECT_EQ(m->nq, 9);
  EXPECT_EQ(m->nv, 9);
  EXPECT_EQ(m->nu, 6);
  EXPECT_EQ(m->opt.integrator, mjINT_EULER);
  EXPECT_DOUBLE_EQ(m->opt.timestep, 0.01);
  double total = 0.0;
  for (int b = 0; b < m->nbody; ++b) total += m->body_mass[b];
  EXPECT_NEAR(total, 14.0, 1e-6);
  const double gears[] = {120, 90, 60, 120, 60, 30};
  const double damping[] = {6, 4.5, 3, 4.5, 3, 1.5};
  const double stiffness[] = {240, 180, 120, 180, 120, 60};
  for (int i = 0; i < 6; ++i) {
    EXPECT_DOUBLE_EQ(m->actuator_gear[6 * i], gears[i]);
    EXPECT_DOUBLE_EQ(m->dof_damping[3 + i], damping[i]);
    EXPECT_DOUBLE_EQ(m->jnt_stiffness[3 + i], stiffness[i]);
    EXPECT_DOUBLE_EQ(m->dof_armature[3 + i], 0.1);
  }
  EXPECT_DOUBLE_EQ(m->jnt_range[2 * 3], -0.52);
  EXPECT_DOUBLE_EQ(m->jnt_range[2 * 8 + 1], 0.5);
}

TEST(Mujoco, ObservationLayoutAndVelocityClip) {
  for (const char* task : {"hopper", "walker2d", "halfcheetah"}) {
    auto env = make(task);
    env->reset(0);
    std::vector<double> qpos = env->qpos(), qvel(env->qvel().size(), 0.0);
    qvel[0] = 15.0;
    qvel[1] = -0.5;
    env->set_state(qpos, qvel);
    std::vector<float> obs(env->obs_dim());
    env->observe(obs.data());
    const int nq = int(qpos.size());
    EXPECT_EQ(env->obs_dim(), find_task(task).obs_dim);
    for (int i = 1; i < nq; ++i) EXPECT_EQ(obs[i - 1], float(qpos[i])) << task;
    const bool clips = std::string(task) != "halfcheetah";
    EXPECT_EQ(obs[nq - 1], clips ? 10.0f : 15.0f) << task;
    EXPECT_EQ(obs[nq], -0.5f) << task;
  }
}

TEST(Mujoco, RewardIsForwardVelocityPlusBonusMinusControlCost) {
  struct Case {
    const char* task;
    double bonus, weight;
  };
  for (const Case& c :
       {Case{"hopper", 1.0, 1e-3}, Case{"walker2d", 1.0, 1e-3}, Case{"halfcheetah", 0.0, 0.1}}) {
    auto env = make(c.task);
    env->reset(4);
    std::vector<float> a(env->act_dim(), 0.5f);
    a[0] = -3.0f;  // clipped to -1: the cost uses the clipped action
    const double x0 = env->qpos()[0];
    StepResult r = env->step(a);
    const double cost = c.weight * (1.0 + 0.25 * (env->act_dim() - 1));
    EXPECT_NEAR(r.reward, (env->qpos()[0] - x0) / env->dt() + c.bonus - cost, 1e-9) << c.task;
  }
  EXPECT_DOUBLE_EQ(make("hopper")->dt(), 0.008);
  EXPECT_DOUBLE_EQ(make("halfcheetah")->dt(), 0.05);
}

TEST(Mujoco, HopperTerminationRules) {
  auto env = make("hopper");
  env->reset(0);
  const std::vector<double> q0 = env->qpos(), v0(6, 0.0);
  EXPECT_TRUE(env->healthy());
  auto healthy_with = [&](int i, double x, bool vel = false) {
    std::vector<double> q = q0, v = v0;
    (vel ? v : q)[i] = x;
    env->set_state(q, v);
    return env->healthy();
  };
  EXPECT_FALSE(healthy_with(1, 0.69));  // z <= 0.7
  EXPECT_TRUE(healthy_with(1, 0.71));
  EXPECT_FALSE(healthy_with(2, 0.21));  // |angle| >= 0.2
  EXPECT_FALSE(healthy_with(2, -0.21));
  EXPECT_TRUE(healthy_with(2, 0.19));
  EXPECT_FALSE(healthy_with(3, -101.0));       // |qpos[2:]| >= 100
  EXPECT_FALSE(healthy_with(4, 120.0, true));  // |qvel| >= 100
  EXPECT_TRUE(healthy_with(0, 500.0));         // x is not part of the rule
  // Through step(): tilted past 0.2, the step terminates (and the episode ends).
  std::vector<double> q = q0;
  q[2] = 0.3;
  env->set_state(q, v0);
  StepResult r = env->step({0.0f, 0.0f, 0.0f});
  EXPECT_TRUE(r.terminated);
  EXPECT_FALSE(r.truncated);
  EXPECT_NEAR(r.reward, (env->qpos()[0] - q0[0]) / 0.008 + 1.0, 1e-9);  // bonus still paid
  EXPECT_THROW(env->step({0.0f, 0.0f, 0.0f}), RunError);
}

TEST(Mujoco, Walker2dTerminationRules) {
  auto env = make("walker2d");
  env->reset(0);
  const std::vector<double> q0 = env->qpos(), v0(9, 0.0);
  auto step_from = [&](int i, double x) {
    std::vector<double> q = q0;
    q[i] = x;
    env->set_state(q, v0);
    return env->step(std::vector<float>(6, 0.0f)).terminated;
  };
  EXPECT_TRUE(step_from(1, 2.1));   // z >= 2
  EXPECT_TRUE(step_from(1, 0.75));  // z <= 0.8
  EXPECT_TRUE(step_from(2, 1.05));  // |angle| >= 1
  EXPECT_FALSE(step_from(2, 0.9));
  EXPECT_FALSE(step_from(1, 1.9));
}

TEST(Mujoco, HalfCheetahNeverTerminates) {
  auto env = make("halfcheetah");
  env->reset(0);
  std::vector<double> q = env->qpos();
  q[1] = -0.5;  // far below its start height and upside down
  q[2] = 3.0;
  env->set_state(q, std::vector<double>(9, 0.0));
  EXPECT_TRUE(env->healthy());
  EXPECT_FALSE(env->step(std::vector<float>(6, 0.0f)).terminated);
}

TEST(Mujoco, SeededResetIsReproducibleWithSpecNoise) {
  for (const char* task : {"hopper", "walker2d", "halfcheetah"}) {
    auto a = make(task), b = make(task);
    EXPECT_EQ(a->reset(17), b->reset(17)) << task;
    std::vector<float> act(a->act_dim(), 0.3f);
    for (int t = 0; t < 5; ++t) EXPECT_EQ(a->step(act).obs, b->step(act).obs) << task;
    EXPECT_NE(a->reset(18), b->reset(17)) << task;
  }
  // Noise ranges: hopper U(+-0.005) on qpos and qvel; halfcheetah qpos U(+-0.1).
  auto hopper = make("hopper");
  auto cheetah = make("halfcheetah");
  const mjModel* hm = hopper->model();
  double cheetah_max = 0.0;
  for (uint64_t s = 0; s < 50; ++s) {
    hopper->reset(s);
    for (int i = 0; i < 6; ++i) {
      EXPECT_LE(std::abs(hopper->qpos()[i] - hm->qpos0[i]), 0.005);
      EXPECT_LE(std::abs(hopper->qvel()[i]), 0.005);
    }
    cheetah->reset(s);
    for (int i = 0; i < 9; ++i) {
      EXPECT_LE(std::abs(cheetah->qpos()[i]), 0.1);
      cheetah_max = std::max(cheetah_max, std::abs(cheetah->qpos()[i]));
    }
  }
  EXPECT_GT(cheetah_max, 0.09);  // the noise really is +-0.1 wide
}

TEST(Mujoco, OutOfBoundActionsAreClipped) {
  for (const char* task : {"hopper", "walker2d", "halfcheetah"}) {
    auto a = make(task), b = make(task);
    a->reset(3);
    b->reset(3);
    std::vector<float> big(a->act_dim(), 7.0f), one(a->act_dim(), 1.0f);
    big[1] = -40.0f;
    one[1] = -1.0f;
    StepResult ra = a->step(big), rb = b->step(one);
    EXPECT_EQ(ra.obs, rb.obs) << task;
    EXPECT_EQ(ra.reward, rb.reward) << task;
  }
}

TEST(Mujoco, BadActionsAndInstabilityAreClearErrors) {
  auto env = make("hopper");
  env->reset(0);
  try {
    env->step({0.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f});
    FAIL() << "NaN action accepted";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("hopper: action[1] is nan"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(env->step({0.0f, 0.0f}), Error);  // wrong size
  // A huge velocity makes MuJoCo reset the state silently; the env reports it instead.
  std::vector<double> v(6, 0.0);
  v[3] = 1e12;
  env->set_state(env->qpos(), v);
  try {
    env->step({0.0f, 0.0f, 0.0f});
    FAIL() << "instability not reported";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("hopper: simulation became unstable"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(env->step({0.0f, 0.0f, 0.0f}), RunError);  // must reset first
  env->reset(1);
  EXPECT_NO_THROW(env->step({0.0f, 0.0f, 0.0f}));
}

TEST(Mujoco, ErrorHandlerThrowsThroughMujoco) {
  // A model copy with a tiny stack makes mj_step call mju_error deep inside MuJoCo's C code.
  const mjModel* shared = shared_model("hopper.xml");
  mjModel* m = mj_copyModel(nullptr, shared);
  m->nstack = 50;
  mjData* d = mj_makeData(m);
  try {
    mj_step(m, d);
    FAIL() << "no error";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("MuJoCo error"), std::string::npos) << e.what();
  }
  mj_deleteData(d);
  mj_deleteModel(m);
}

TEST(Mujoco, ModelLookupNamesEveryPathTried) {
  setenv("RELABEL_MODELS_DIR", "/nonexistent-relabel-models", 1);
  EXPECT_NE(find_model_file("hopper.xml").find("hopper.xml"), std::string::npos);  // falls back
  try {
    find_model_file("no-such-model.xml");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("/nonexistent-relabel-models/no-such-model.xml"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/envs/models/no-such-model.xml"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/models/no-such-model.xml"), std::string::npos) << msg;
  }
  unsetenv("RELABEL_MODELS_DIR");
}

#endif

}  // namespace
}  // namespace relabel::envs
