// Package deployments holds no code: its tests check the deployment files
// beside them (deployments/docker, compose, kubernetes, nfpm, systemd and
// .goreleaser.yml) against each other and against the deployment guide's
// contract (base images, user, capabilities, ports, paths, image tags),
// because CI has no container engine or cluster to run them in.
package deployments
