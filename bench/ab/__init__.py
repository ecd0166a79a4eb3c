"""Two versions of the code on one machine in the same minutes: `rnnbench ab` and `rnnbench bisect`.

`git` finds and checks out the revisions (rnnbench.ab.git), `sides` makes each one importable in a
child process, `worker` is that child, `ab` alternates the two and decides, `bisect` searches history.
"""
