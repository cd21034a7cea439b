/// `q` or Ctrl-C: leave the demo now.
struct DemoQuit: Error {}
