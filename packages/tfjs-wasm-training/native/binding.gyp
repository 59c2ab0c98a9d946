{
  "targets": [
    {
      "target_name": "onednn_conv",
      "sources": ["onednn_conv.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fopenmp"],
      "ldflags": ["-fopenmp"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl"]
    }
  ]
}
