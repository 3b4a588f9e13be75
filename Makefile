# The operator's entry points: `make` lists them (README, "Dev loop" and "Bringing a cluster up").
# Every recipe runs this project's CLI or a standard tool (npm, minikube, skaffold, istioctl,
# eksctl, kubectl); the variables below override the tools and settings, e.g. `make apply-istio ENV=prd`.

MANIFESTS ?= node dist/cli/main.js
# The environment of render, apply-istio and secrets.
ENV ?= dev
KUBECTL ?= kubectl
# Where `make secrets` sends each object it builds (a stand-in can capture them instead).
KUBECTL_APPLY ?= $(KUBECTL) apply -f -
SKAFFOLD ?= skaffold
ISTIOCTL ?= istioctl
EKSCTL ?= eksctl
MINIKUBE ?= minikube
MINIKUBE_PROFILE ?= minikube
# The dev cluster declaration's Kubernetes minor (global.clusters.dev.kubernetesVersion).
MINIKUBE_KUBERNETES_VERSION ?= v1.33.1
MINIKUBE_CPUS ?= 4
MINIKUBE_MEMORY ?= 8g
# The prd cluster (global.clusters.prd.name) and the registry the charts go to, which is where
# Argo CD pulls them from (the argocd chart's repoURL).
EKS_CLUSTER ?= shop-prd
REGISTRY ?= oci://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com
# The out-of-band Secrets' values (gitignored); secrets/$(ENV).env.example lists the keys.
SECRETS_FILE ?= secrets/$(ENV).env

RELEASE := release/$(ENV)
CLUSTER_CONFIG := release/prd/eks/_eksctl/clusterconfig-$(EKS_CLUSTER).yaml
ISTIO_OPERATOR := $(RELEASE)/istio/istio-system/istiooperator-istio-control-plane.yaml

.DEFAULT_GOAL := help
.PHONY: help install build plan plan-manifests render validate test minikube-start dev apply-k8s \
	apply-istio apply-argocd eks-cluster eks-nodegroups eks-iam eks-taint-nodes secrets publish

help: ## list the targets
	@echo 'make <target> [ENV=dev|prd] [VARIABLE=value...]'
	@grep -E '^[a-z][a-z0-9-]*:.*## ' $(firstword $(MAKEFILE_LIST)) | \
		awk 'BEGIN { FS = ":.*## " } { printf "  %-16s %s\n", $$1, $$2 }'

install: ## install the dependencies and build the CLI (npm ci)
	npm ci

build:
	npm run build --silent

plan: ## render and validate release/dev/ and release/prd/ from the charts and values
	npm run plan

plan-manifests: plan ## the same as plan

render: build ## render release/ENV/ (ENV=dev by default; after a values change during `make dev`)
	$(MANIFESTS) render --env $(ENV)

validate: build ## validate release/dev/ and release/prd/ as they are on disk
	$(MANIFESTS) validate --env dev
	$(MANIFESTS) validate --env prd

test: ## the whole test suite
	npm test

minikube-start: ## start Minikube at the dev cluster's Kubernetes version
	$(MINIKUBE) start --profile $(MINIKUBE_PROFILE) --kubernetes-version $(MINIKUBE_KUBERNETES_VERSION) \
		--cpus $(MINIKUBE_CPUS) --memory $(MINIKUBE_MEMORY)

# Skaffold checks that its rawYaml files exist before its render hook runs: render first.
dev: build ## render release/dev/, then build, deploy and port-forward with skaffold dev
	$(MANIFESTS) render --env dev
	$(SKAFFOLD) dev --kube-context $(MINIKUBE_PROFILE)

apply-k8s: build ## render release/dev/ and deploy it once with skaffold run
	$(MANIFESTS) render --env dev
	$(SKAFFOLD) run --kube-context $(MINIKUBE_PROFILE)

apply-istio: render ## install Istio from the rendered IstioOperator, then apply the traffic objects
	$(ISTIOCTL) install -y -f $(ISTIO_OPERATOR)
	$(KUBECTL) apply -f $(RELEASE)/istio/_cluster -f $(RELEASE)/app/_cluster
	$(KUBECTL) apply -f $(RELEASE)/istio/istio-system/gateway-public-gateway.yaml -f $(RELEASE)/istio/apps

apply-argocd: ## apply the argocd chart (Argo CD installed) and fetch its first ECR token
	$(KUBECTL) apply -f release/prd/argocd/_cluster
	$(KUBECTL) apply -f release/prd/argocd/argocd
	$(KUBECTL) -n argocd create job --from=cronjob/ecr-credentials-refresher ecr-refresh-$$(date +%s)

eks-cluster: ## create the EKS cluster, its node groups and IRSA roles (eksctl)
	$(EKSCTL) create cluster -f $(CLUSTER_CONFIG)

eks-nodegroups: ## create node groups added to the declaration since (existing ones are skipped)
	$(EKSCTL) create nodegroup -f $(CLUSTER_CONFIG)

eks-iam: ## create IRSA roles added to eks.serviceAccountRoles since
	$(EKSCTL) create iamserviceaccount -f $(CLUSTER_CONFIG) --approve

eks-taint-nodes: ## apply the taint step and run it once (taints EKS node groups cannot carry)
	$(KUBECTL) apply -f release/prd/eks/_cluster -f release/prd/eks/kube-system
	$(KUBECTL) -n kube-system create job --from=cronjob/node-taint-applier taint-now-$$(date +%s)

# One line per key: <namespace>/<secret>/<key>=<value>, or =@<file> for a file's content. A Secret
# holding .dockerconfigjson gets that type. Values go to kubectl only, never to the terminal.
secrets: ## create the out-of-band Secrets of ENV from secrets/ENV.env (template: secrets/ENV.env.example)
	@test -f $(SECRETS_FILE) || { echo "error: $(SECRETS_FILE) does not exist: copy secrets/$(ENV).env.example to it and fill in the values" >&2; exit 2; }
	@awk '/^[[:space:]]*(#|$$)/ { next } \
		{ eq = index($$0, "="); ref = eq ? substr($$0, 1, eq - 1) : $$0 } \
		ref !~ /^[a-z0-9-]+\/[a-z0-9.-]+\/[-._a-zA-Z0-9]+$$/ { printf "error: %s:%d: \"%s\" is not <namespace>/<secret>/<key>\n", FILENAME, NR, ref > "/dev/stderr"; bad = 1; next } \
		!eq || substr($$0, eq + 1) == "" { printf "error: %s:%d: %s has no value\n", FILENAME, NR, ref > "/dev/stderr"; bad = 1 } \
		END { exit bad ? 2 : 0 }' $(SECRETS_FILE)
	@grep -Ev '^[[:space:]]*(#|$$)' $(SECRETS_FILE) | cut -d= -f1 | cut -d/ -f1,2 | sort -u | \
	while read -r secret; do \
		ns=$${secret%%/*}; name=$${secret#*/}; type=Opaque; set --; \
		while IFS= read -r line; do \
			case "$$line" in "$$secret"/*=*) ;; *) continue ;; esac; \
			ref=$${line%%=*}; value=$${line#*=}; key=$${ref##*/}; \
			if [ "$$key" = .dockerconfigjson ]; then type=kubernetes.io/dockerconfigjson; fi; \
			case "$$value" in \
				@*) set -- "$$@" "--from-file=$$key=$${value#@}" ;; \
				*) set -- "$$@" "--from-literal=$$key=$$value" ;; \
			esac; \
		done < $(SECRETS_FILE); \
		namespace=$$($(KUBECTL) create namespace "$$ns" --dry-run=client -o yaml) || exit 1; \
		object=$$($(KUBECTL) create secret generic "$$name" --namespace "$$ns" --type "$$type" "$$@" --dry-run=client -o yaml) || exit 1; \
		printf '%s\n' "$$namespace" | $(KUBECTL_APPLY) || exit 1; \
		printf '%s\n' "$$object" | $(KUBECTL_APPLY) || exit 1; \
	done

publish: build ## package every chart with the real secrets and push it to REGISTRY (the ECR registry)
	$(MANIFESTS) publish --env prd --registry $(REGISTRY)
