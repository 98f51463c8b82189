# pushsim as a container image: the binary, its bundled suite, profiles and protocol document,
# installed from the Debian package on a slim Debian 12. Two stages: the first builds the
# package exactly as outside a container (README, "Install"), the second holds only that package.
#
#   docker build --build-arg PUSHSIM_GIT_COMMIT=$(git rev-parse --short=12 HEAD) -t pushsim .
#   docker run --rm pushsim run                           # the suite against the reference engine
#   docker run --rm --network host -v "$PWD:/reports" pushsim run --target ws://127.0.0.1:6001 \
#     --app-id app-id --key app-key --secret app-secret --jobs 1 --junit /reports/pushsim.xml
#
# .git stays out of the build context (.dockerignore), so the commit --version and the reports
# name comes from the build argument ("unknown" without it).

FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN bash scripts/install-deps.sh package && rm -rf /var/lib/apt/lists/*
COPY . .
ARG PUSHSIM_GIT_COMMIT=""
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DPUSHSIM_BENCH=OFF \
      -DPUSHSIM_GIT_COMMIT="$PUSHSIM_GIT_COMMIT" \
 && cmake --build build --target pushsim \
 && cpack --config build/CPackConfig.cmake -G DEB -B /packages \
 && dpkg-deb -I /packages/pushsim_*.deb

FROM debian:12-slim
COPY --from=build /packages/pushsim_*.deb /tmp/
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/pushsim_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/pushsim_*.deb \
 && pushsim --version
WORKDIR /reports
ENTRYPOINT ["pushsim"]
CMD ["run"]
