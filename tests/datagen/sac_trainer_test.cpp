#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "core/error.h"
#include "datagen/sac_trainer.h"

using relabel::algos::SacOptions;
using relabel::datagen::SacTrainer;
using relabel::datagen::SacTrainOptions;

namespace {

SacOptions tiny() {
  SacOptions o;
  o.hidden = 32;
  return o;
}

SacTrainOptions short_run() {
  SacTrainOptions t;
  t.steps = 600;
  t.start_steps = 200;
  t.batch_size = 32;
  t.eval_every = 200;
  t.eval_episodes = 2;
  t.seed = 5;
  return t;
}

}  // namespace

TEST(SacTrainer, CountsStepsUpdatesEpisodesAndEvaluations) {
  torch::set_num_threads(1);
  SacTrainer a("pendulum", tiny(), short_run());
  std::vector<int64_t> eval_steps;
  int64_t calls = 0;
  a.train([&](const relabel::datagen::EvalPoint& p) { eval_steps.push_back(p.step); },
          [&](int64_t) { ++calls; });
  EXPECT_EQ(calls, 600);
  EXPECT_EQ(eval_steps, (std::vector<int64_t>{200, 400, 600}));
  EXPECT_EQ(a.agent().updates(), 400);  // one per step after the 200 random ones
  EXPECT_EQ(a.episodes(), 3);
  auto rows = a.buffer().export_rows(0, 600);
  EXPECT_EQ(rows.timeouts.sum().item<int64_t>(), 3);  // 200-step time limits
  EXPECT_TRUE(rows.timeouts[199].item<bool>());
  EXPECT_FALSE(rows.terminals.any().item<bool>());
}

// Stopping at an episode boundary, saving, and continuing in a new trainer gives exactly the
// run without the interruption (datagen resumes hours-long trainings this way).
TEST(SacTrainer, ResumesFromAnEpisodeBoundaryExactly) {
  torch::set_num_threads(1);
  SacTrainer a("pendulum", tiny(), short_run());
  a.train();

  SacTrainer b("pendulum", tiny(), short_run());
  b.train({}, [&](int64_t step) {
    if (step == 250) {
      EXPECT_FALSE(b.at_episode_boundary());
      EXPECT_THROW(
          {
            torch::serialize::OutputArchive out;
            b.save(out);
          },
          relabel::Error);
      b.stop();
    }
  });
  ASSERT_EQ(b.step(), 400);  // the boundary after step 250
  ASSERT_TRUE(b.at_episode_boundary());
  torch::serialize::OutputArchive out;
  b.save(out);
  std::stringstream ss;
  out.save_to(ss);

  SacTrainer c("pendulum", tiny(), short_run());
  torch::serialize::InputArchive in;
  in.load_from(ss);
  c.load(in);
  EXPECT_EQ(c.step(), 400);
  ASSERT_EQ(c.evaluations().size(), 2u);
  c.train();
  EXPECT_EQ(c.step(), 600);
  EXPECT_EQ(c.agent().updates(), a.agent().updates());
  ASSERT_EQ(c.evaluations().size(), 3u);
  EXPECT_DOUBLE_EQ(c.evaluations()[2].mean_return, a.evaluations()[2].mean_return);
  auto obs = torch::randn({16, 3});
  EXPECT_TRUE(torch::equal(a.agent().act(obs, true), c.agent().act(obs, true)));
  EXPECT_TRUE(torch::equal(a.buffer().export_rows(0, 600).obs, c.buffer().export_rows(0, 600).obs));

  SacTrainOptions longer = short_run();
  longer.steps = 800;
  SacTrainer d("pendulum", tiny(), longer);
  torch::serialize::InputArchive in2;
  ss.seekg(0);
  in2.load_from(ss);
  EXPECT_THROW(d.load(in2), relabel::Error);
}
