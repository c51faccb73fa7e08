// report.html in headless Chromium: the screenshot shows the plots (coloured lines and bands,
// rliable's interval bars), and the same report without plots shows none.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "tests/report/browser.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using namespace relabel::test;

TEST(ReportBrowser, ScreenshotShowsThePlots) {
  std::string chromium = find_chromium();
  ASSERT_FALSE(chromium.empty()) << "chromium is missing: run scripts/install-deps.sh";
  TempDir dir("report-browser"), profile("report-chromium");
  write_standard_sweep(dir.path());
  // A swept hyperparameter adds the score-against-hyperparameter panel.
  for (double alpha : {0.1, 3.0})
    for (int t = 0; t < 2; ++t)
      for (int s = 0; s < 3; ++s) {
        SyntheticRun r;
        r.id = "a" + std::to_string(alpha) + "t" + std::to_string(t) + "s" + std::to_string(s);
        r.task = kTasks[t];
        r.dataset = kDatasets[t];
        r.method = "cdred+iql";
        r.params = {{"reward.alpha", alpha}, {"seed", s}};
        r.final_score = 40 + 10 * alpha + 3 * s;
        write_run(dir.path(), r);
      }
  auto r =
      run_relabel("report " + dir.path() + " --bootstrap-reps 200 --out " + dir.path() + "/plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_relabel("report " + dir.path() + " --bootstrap-reps 200 --no-plots --out " + dir.path() +
                  "/tables");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  auto shot = [&](const std::string& which) {
    std::string png = dir.path() + "/" + which + ".png";
    auto c = screenshot(chromium, dir.path() + "/" + which + "/report.html", png,
                        profile.path() + "/" + which);
    EXPECT_TRUE(std::filesystem::exists(png)) << c.output;
    return decode_png(read_file(png));
  };
  Image with = shot("plots");
  Image without = shot("tables");
  ASSERT_EQ(with.width, 1200);
  ASSERT_EQ(with.height, 2400);
  PixelStats p = pixel_stats(with), t = pixel_stats(without);
  std::cout << "screenshot with plots: non-white " << p.non_white << ", colours " << p.colours
            << ", coloured pixels " << p.saturated << "; without: non-white " << t.non_white
            << ", colours " << t.colours << ", coloured pixels " << t.saturated << "\n";
  // The plots are coloured lines, points and translucent CI bands (antialiased: many distinct
  // colours); the tables alone are grey text and rules on white.
  EXPECT_GT(p.non_white, 0.04);
  EXPECT_GT(p.colours, 1000u);
  EXPECT_GT(p.saturated, 8000u);
  EXPECT_LT(t.saturated, 500u);

  // The interval bars of the aggregate-metrics and improvement plots, which come first: the best
  // group's colour (Tableau blue 31,119,180) at the bars' opacity 0.6 on white; the curves'
  // bands (opacity 0.2) are lighter.
  auto bar_pixels = [](const Image& img) {
    size_t n = 0;
    for (size_t i = 0; i + 2 < img.rgb.size(); i += 3)
      n += std::abs(img.rgb[i] - 121) <= 4 && std::abs(img.rgb[i + 1] - 173) <= 4 &&
           std::abs(img.rgb[i + 2] - 210) <= 4;
    return n;
  };
  std::cout << "interval-bar pixels with plots " << bar_pixels(with) << ", without "
            << bar_pixels(without) << "\n";
  EXPECT_GT(bar_pixels(with), 400u);
  EXPECT_EQ(bar_pixels(without), 0u);
  // Keep the screenshot for a look (RELABEL_REPORT_SCREENSHOT=/path/to/shot.png).
  if (const char* keep = std::getenv("RELABEL_REPORT_SCREENSHOT"))
    std::filesystem::copy_file(dir.path() + "/plots.png", keep,
                               std::filesystem::copy_options::overwrite_existing);
}
