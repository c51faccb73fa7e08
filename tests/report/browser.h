#pragma once
// Headless Chromium screenshots of report.html and a small PNG reader to inspect them.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace relabel::test {

inline std::string find_chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (std::filesystem::exists(p)) return p;
  return "";
}

// Screenshots `html` (an absolute path) into `png` at 1200×2400; returns chromium's output.
inline CommandResult screenshot(const std::string& chromium, const std::string& html,
                                const std::string& png, const std::string& profile_dir) {
  return run_command("timeout 120 " + chromium +
                     " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                     " --disable-background-networking --disable-component-update --disable-sync"
                     " --hide-scrollbars --user-data-dir=" +
                     profile_dir + " --screenshot=" + png + " --window-size=1200,2400 file://" +
                     html);
}

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width·height·3
};

// Decodes an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes).
inline Image decode_png(const std::string& bytes) {
  auto u32 = [&](size_t at) {
    return uint32_t(uint8_t(bytes[at])) << 24 | uint32_t(uint8_t(bytes[at + 1])) << 16 |
           uint32_t(uint8_t(bytes[at + 2])) << 8 | uint32_t(uint8_t(bytes[at + 3]));
  };
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0)
    throw std::runtime_error("not a PNG file");
  Image img;
  int channels = 0;
  std::string idat;
  for (size_t at = 8; at + 8 <= bytes.size();) {
    uint32_t len = u32(at);
    std::string type = bytes.substr(at + 4, 4);
    if (at + 12 + len > bytes.size()) throw std::runtime_error("truncated PNG chunk " + type);
    const size_t data = at + 8;
    if (type == "IHDR") {
      img.width = static_cast<int>(u32(data));
      img.height = static_cast<int>(u32(data + 4));
      int depth = uint8_t(bytes[data + 8]), color = uint8_t(bytes[data + 9]);
      int interlace = uint8_t(bytes[data + 12]);
      if (depth != 8 || (color != 2 && color != 6) || interlace != 0)
        throw std::runtime_error("unsupported PNG format");
      channels = color == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat.append(bytes, data, len);
    } else if (type == "IEND") {
      break;
    }
    at += 12 + len;
  }
  if (!channels) throw std::runtime_error("PNG without IHDR");
  const size_t stride = size_t(img.width) * channels;
  std::vector<uint8_t> raw(img.height * (stride + 1));
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_len != raw.size())
    throw std::runtime_error("corrupt PNG image data");
  // Undo the per-row filters (PNG spec, section 9).
  std::vector<uint8_t> pix(img.height * stride), zero(stride, 0);
  for (int y = 0; y < img.height; ++y) {
    const uint8_t* in = &raw[y * (stride + 1)];
    uint8_t* out = &pix[y * stride];
    const uint8_t* up = y ? &pix[(y - 1) * stride] : zero.data();
    for (size_t x = 0; x < stride; ++x) {
      int a = x >= size_t(channels) ? out[x - channels] : 0, b = up[x];
      int c = x >= size_t(channels) ? up[x - channels] : 0;
      int pred = 0;
      switch (in[0]) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) / 2;
          break;
        case 4: {
          int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
          break;
        }
        default:
          throw std::runtime_error("bad PNG filter type");
      }
      out[x] = uint8_t(in[1 + x] + pred);
    }
  }
  img.rgb.resize(size_t(img.width) * img.height * 3);
  for (size_t i = 0; i < size_t(img.width) * img.height; ++i)
    for (int k = 0; k < 3; ++k) img.rgb[3 * i + k] = pix[channels * i + k];
  return img;
}

struct PixelStats {
  double non_white = 0;  // fraction of pixels that are not (near) white
  size_t colours = 0;    // distinct RGB values
  size_t saturated = 0;  // clearly coloured pixels (plot lines and bands; text and rules are grey)
};

inline PixelStats pixel_stats(const Image& img) {
  PixelStats s;
  std::vector<bool> seen(1 << 24, false);
  size_t n = size_t(img.width) * img.height, non_white = 0;
  for (size_t i = 0; i < n; ++i) {
    int r = img.rgb[3 * i], g = img.rgb[3 * i + 1], b = img.rgb[3 * i + 2];
    if (r < 245 || g < 245 || b < 245) ++non_white;
    int hi = std::max({r, g, b}), lo = std::min({r, g, b});
    if (hi - lo > 60) ++s.saturated;
    uint32_t key = uint32_t(r) << 16 | uint32_t(g) << 8 | uint32_t(b);
    if (!seen[key]) {
      seen[key] = true;
      ++s.colours;
    }
  }
  s.non_white = n ? double(non_white) / n : 0;
  return s;
}

}  // namespace relabel::test
