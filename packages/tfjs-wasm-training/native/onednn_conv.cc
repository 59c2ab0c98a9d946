// Convolutions of a tfjs training step (forward, input gradient, filter gradient) by oneDNN, the
// library PyTorch's CPU convolutions use, for the CIFAR-10 example's wasm backend: the tensors stay
// in the wasm heap (Float32Array views on it are passed in) and oneDNN reads and writes them there.
// Layouts are tfjs's: activations NHWC, filters [fh, fw, in, out] (oneDNN's "hwio"). Primitives are
// built once per shape and cached; filters are reordered to oneDNN's preferred layout every call.
//
// Also the pooling gradients and bias sums of the step (plain loops on OpenMP threads, as the JS ones
// in helper-loops.js), which were the next largest kernels once the convolutions were native.
//
// Built by `npm run build:native` (needs Debian's libdnnl-dev); examples/cifar/wasm-native.ts loads it.
#include <node_api.h>

#include <dnnl.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

engine &eng() {
  static engine e(engine::kind::cpu, 0);
  return e;
}
stream &strm() {
  static stream s(eng());
  return s;
}

// A convolution's geometry: x [n, h, w, ci], filter [fh, fw, ci, co], y [n, oh, ow, co].
struct Geo {
  int64_t n, h, w, ci, fh, fw, co, oh, ow, sh, sw, pt, pb, pl, pr;
  bool operator<(const Geo &o) const {
    return std::tie(n, h, w, ci, fh, fw, co, oh, ow, sh, sw, pt, pb, pl, pr) <
           std::tie(o.n, o.h, o.w, o.ci, o.fh, o.fw, o.co, o.oh, o.ow, o.sh, o.sw, o.pt, o.pb, o.pl, o.pr);
  }
  memory::desc x(tag t = tag::nhwc) const { return {{n, ci, h, w}, dt::f32, t}; }
  memory::desc y(tag t = tag::nhwc) const { return {{n, co, oh, ow}, dt::f32, t}; }
  memory::desc f(tag t = tag::hwio) const { return {{co, ci, fh, fw}, dt::f32, t}; }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }
};

convolution_forward::primitive_desc forwardDesc(const Geo &g) {
  convolution_forward::desc d(prop_kind::forward_training, algorithm::convolution_direct, g.x(), g.f(tag::any), g.y(),
                              g.strides(), g.padL(), g.padR());
  return convolution_forward::primitive_desc(d, eng());
}

struct Forward {
  convolution_forward::primitive_desc pd;
  convolution_forward prim;
  memory::desc hwio;
  memory packed;  // the filter in pd's layout
  reorder pack;   // hwio -> packed
  explicit Forward(const Geo &g)
      : pd(forwardDesc(g)), prim(pd), hwio(g.f()), packed(pd.weights_desc(), eng()),
        pack(memory(hwio, eng(), nullptr), packed) {}
};

struct BackwardData {
  convolution_backward_data::primitive_desc pd;
  convolution_backward_data prim;
  memory::desc hwio;
  memory packed;
  reorder pack;
  explicit BackwardData(const Geo &g)
      : pd(convolution_backward_data::desc(algorithm::convolution_direct, g.x(), g.f(tag::any), g.y(), g.strides(),
                                           g.padL(), g.padR()),
           eng(), forwardDesc(g)),
        prim(pd),
        hwio(g.f()),
        packed(pd.weights_desc(), eng()),
        pack(memory(hwio, eng(), nullptr), packed) {}
};

struct BackwardWeights {
  convolution_backward_weights::primitive_desc pd;
  convolution_backward_weights prim;
  memory::desc hwio;
  memory packed;
  reorder unpack;  // packed -> hwio
  explicit BackwardWeights(const Geo &g)
      : pd(convolution_backward_weights::desc(algorithm::convolution_direct, g.x(), g.f(tag::any), g.y(),
                                              g.strides(), g.padL(), g.padR()),
           eng(), forwardDesc(g)),
        prim(pd),
        hwio(g.f()),
        packed(pd.diff_weights_desc(), eng()),
        unpack(packed, memory(hwio, eng(), nullptr)) {}
};

template <typename T>
T &cached(const Geo &g) {
  static std::map<Geo, std::unique_ptr<T>> cache;
  auto it = cache.find(g);
  if (it == cache.end()) it = cache.emplace(g, std::make_unique<T>(g)).first;
  return *it->second;
}

// ---- Pooling gradients and bias sums: the loops of helper-loops.js, compiled, over images on OpenMP threads ----
// Dims of a pooling window: [n, H, W, C, OH, OW, strideH, strideW, FH, FW, padTop, padLeft].

void maxPoolGrad(const float *xs, const float *ys, const float *g, float *dx, const int64_t *d) {
  const int64_t n = d[0], H = d[1], W = d[2], C = d[3], OH = d[4], OW = d[5], sh = d[6], sw = d[7], FH = d[8], FW = d[9],
                top = d[10], left = d[11];
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < n; b++) {
    std::fill(dx + b * H * W * C, dx + (b + 1) * H * W * C, 0.0f);
    for (int64_t oh = 0; oh < OH; oh++) {
      const int64_t h0 = oh * sh - top, hFrom = std::max<int64_t>(0, h0), hTo = std::min(H, h0 + FH);
      for (int64_t ow = 0; ow < OW; ow++) {
        const int64_t w0 = ow * sw - left, wFrom = std::max<int64_t>(0, w0), wTo = std::min(W, w0 + FW);
        const int64_t o = ((b * OH + oh) * OW + ow) * C;
        for (int64_t c = 0; c < C; c++) {
          const float y = ys[o + c];
          if (y == -std::numeric_limits<float>::infinity()) continue;  // the cpu backend assigns no position then
          for (int64_t ih = hFrom; ih < hTo; ih++) {
            int64_t k = ((b * H + ih) * W + wFrom) * C + c, iw = wFrom;
            for (; iw < wTo; iw++, k += C) {
              if (xs[k] == y) {
                dx[k] += g[o + c];
                break;
              }
            }
            if (iw < wTo) break;
          }
        }
      }
    }
  }
}

void avgPoolGrad(const float *g, float *dx, const int64_t *d) {
  const int64_t n = d[0], H = d[1], W = d[2], C = d[3], OH = d[4], OW = d[5], sh = d[6], sw = d[7], FH = d[8], FW = d[9],
                top = d[10], left = d[11];
  const float scale = 1.0f / static_cast<float>(FH * FW);
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < n; b++) {
    std::fill(dx + b * H * W * C, dx + (b + 1) * H * W * C, 0.0f);
    for (int64_t oh = 0; oh < OH; oh++) {
      for (int64_t ow = 0; ow < OW; ow++) {
        const int64_t o = ((b * OH + oh) * OW + ow) * C;
        for (int64_t fh = 0; fh < FH; fh++) {
          const int64_t ih = oh * sh - top + fh;
          if (ih < 0 || ih >= H) continue;
          for (int64_t fw = 0; fw < FW; fw++) {
            const int64_t iw = ow * sw - left + fw;
            if (iw < 0 || iw >= W) continue;
            float *out = dx + ((b * H + ih) * W + iw) * C;
            for (int64_t c = 0; c < C; c++) out[c] += g[o + c] * scale;
          }
        }
      }
    }
  }
}

// Column sums of x seen as [rows, C] (double accumulators, one set per thread).
void sumRows(const float *xs, float *out, int64_t rows, int64_t C) {
  std::vector<double> total(C, 0.0);
#pragma omp parallel
  {
    std::vector<double> acc(C, 0.0);
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float *row = xs + r * C;
      for (int64_t c = 0; c < C; c++) acc[c] += row[c];
    }
#pragma omp critical
    for (int64_t c = 0; c < C; c++) total[c] += acc[c];
  }
  for (int64_t c = 0; c < C; c++) out[c] = static_cast<float>(total[c]);
}

// ---- N-API glue ----

bool floatData(napi_env env, napi_value v, float **data, size_t *length) {
  napi_typedarray_type type;
  void *raw;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_float32_array)
    return false;
  *data = static_cast<float *>(raw);
  return true;
}

bool int64s(napi_env env, napi_value arr, int64_t *out, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) {
    napi_value e;
    if (napi_get_element(env, arr, i, &e) != napi_ok || napi_get_value_int64(env, e, &out[i]) != napi_ok) return false;
  }
  return true;
}

napi_value fail(napi_env env, const std::string &what) {
  napi_throw_error(env, nullptr, ("onednn_conv: " + what).c_str());
  return nullptr;
}

// A function of A Float32Arrays and D integers: checks the arrays' lengths against sizes(d), then runs
// body(p, d); oneDNN's errors become JS errors.
template <size_t A, size_t D, typename Sizes, typename Body>
napi_value kernel(napi_env env, napi_callback_info info, const char *name, Sizes sizes, Body body) {
  size_t argc = A + 1;
  napi_value argv[A + 1];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != A + 1)
    return fail(env, std::string(name) + ": expected " + std::to_string(A) + " Float32Arrays and an array of integers");
  float *p[A];
  size_t len[A];
  int64_t d[D];
  for (size_t i = 0; i < A; i++)
    if (!floatData(env, argv[i], &p[i], &len[i])) return fail(env, std::string(name) + ": expected Float32Arrays");
  if (!int64s(env, argv[A], d, D)) return fail(env, std::string(name) + ": expected an array of " + std::to_string(D) + " integers");
  const std::array<int64_t, A> want = sizes(d);
  for (size_t i = 0; i < A; i++)
    if (static_cast<int64_t>(len[i]) != want[i]) return fail(env, std::string(name) + ": array sizes do not match the dims");
  try {
    body(p, d);
  } catch (const std::exception &e) {
    return fail(env, std::string(name) + ": " + e.what());
  }
  return nullptr;
}

Geo geo(const int64_t *v) {
  return Geo{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
}
int64_t xSize(const Geo &g) { return g.n * g.h * g.w * g.ci; }
int64_t fSize(const Geo &g) { return g.fh * g.fw * g.ci * g.co; }
int64_t ySize(const Geo &g) { return g.n * g.oh * g.ow * g.co; }

// (x, filter, y, geometry[15])
napi_value Forward_(napi_env env, napi_callback_info info) {
  return kernel<3, 15>(
      env, info, "forward", [](const int64_t *d) { const Geo g = geo(d); return std::array<int64_t, 3>{xSize(g), fSize(g), ySize(g)}; },
      [](float **p, const int64_t *d) {
        const Geo g = geo(d);
        Forward &c = cached<Forward>(g);
        memory f(c.hwio, eng(), p[1]), x(g.x(), eng(), p[0]), y(g.y(), eng(), p[2]);
        c.pack.execute(strm(), f, c.packed);
        c.prim.execute(strm(), {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, c.packed}, {DNNL_ARG_DST, y}});
        strm().wait();
      });
}

// (dy, filter, dx, geometry[15])
napi_value BackwardData_(napi_env env, napi_callback_info info) {
  return kernel<3, 15>(
      env, info, "backwardData", [](const int64_t *d) { const Geo g = geo(d); return std::array<int64_t, 3>{ySize(g), fSize(g), xSize(g)}; },
      [](float **p, const int64_t *d) {
        const Geo g = geo(d);
        BackwardData &c = cached<BackwardData>(g);
        memory f(c.hwio, eng(), p[1]), dy(g.y(), eng(), p[0]), dx(g.x(), eng(), p[2]);
        c.pack.execute(strm(), f, c.packed);
        c.prim.execute(strm(), {{DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_WEIGHTS, c.packed}, {DNNL_ARG_DIFF_SRC, dx}});
        strm().wait();
      });
}

// (x, dy, dFilter, geometry[15])
napi_value BackwardWeights_(napi_env env, napi_callback_info info) {
  return kernel<3, 15>(
      env, info, "backwardWeights", [](const int64_t *d) { const Geo g = geo(d); return std::array<int64_t, 3>{xSize(g), ySize(g), fSize(g)}; },
      [](float **p, const int64_t *d) {
        const Geo g = geo(d);
        BackwardWeights &c = cached<BackwardWeights>(g);
        memory x(g.x(), eng(), p[0]), dy(g.y(), eng(), p[1]), df(c.hwio, eng(), p[2]);
        c.prim.execute(strm(), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_WEIGHTS, c.packed}});
        c.unpack.execute(strm(), c.packed, df);
        strm().wait();
      });
}

// (x, y, dy, dx, dims[12])
napi_value MaxPoolGrad_(napi_env env, napi_callback_info info) {
  return kernel<4, 12>(
      env, info, "maxPoolGrad",
      [](const int64_t *d) {
        const int64_t xs = d[0] * d[1] * d[2] * d[3], ys = d[0] * d[4] * d[5] * d[3];
        return std::array<int64_t, 4>{xs, ys, ys, xs};
      },
      [](float **p, const int64_t *d) { maxPoolGrad(p[0], p[1], p[2], p[3], d); });
}

// (dy, dx, dims[12])
napi_value AvgPoolGrad_(napi_env env, napi_callback_info info) {
  return kernel<2, 12>(
      env, info, "avgPoolGrad", [](const int64_t *d) { return std::array<int64_t, 2>{d[0] * d[4] * d[5] * d[3], d[0] * d[1] * d[2] * d[3]}; },
      [](float **p, const int64_t *d) { avgPoolGrad(p[0], p[1], d); });
}

// (x, out, [rows, C])
napi_value SumRows_(napi_env env, napi_callback_info info) {
  return kernel<2, 2>(
      env, info, "sumRows", [](const int64_t *d) { return std::array<int64_t, 2>{d[0] * d[1], d[1]}; },
      [](float **p, const int64_t *d) { sumRows(p[0], p[1], d[0], d[1]); });
}

// (geometry[15]) -> which oneDNN implementations run it ("brgconv:avx512_core", ...).
napi_value Impl_(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t v[15];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != 1 || !int64s(env, argv[0], v, 15))
    return fail(env, "implementation: expected an array of 15 integers");
  const Geo g = geo(v);
  std::string s;
  try {
    s = "forward " + std::string(cached<Forward>(g).pd.impl_info_str()) + ", input gradient " +
        cached<BackwardData>(g).pd.impl_info_str() + ", filter gradient " + cached<BackwardWeights>(g).pd.impl_info_str();
  } catch (const std::exception &e) {
    return fail(env, std::string("implementation: ") + e.what());
  }
  napi_value out;
  napi_create_string_utf8(env, s.c_str(), s.size(), &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  const dnnl_version_t *ver = dnnl_version();
  napi_property_descriptor props[] = {
      {"forward", nullptr, Forward_, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"backwardData", nullptr, BackwardData_, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"backwardWeights", nullptr, BackwardWeights_, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"implementation", nullptr, Impl_, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad_, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"avgPoolGrad", nullptr, AvgPoolGrad_, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRows_, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  std::string v = std::to_string(ver->major) + "." + std::to_string(ver->minor) + "." + std::to_string(ver->patch);
  napi_value version;
  napi_create_string_utf8(env, v.c_str(), v.size(), &version);
  napi_set_named_property(env, exports, "version", version);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
