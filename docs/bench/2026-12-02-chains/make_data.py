"""The arrays of this folder's scripts, from ../shared/corpora/cifar10 (run in the work folder):
cifar500.npy (the 500 test images), c2048.npy (the test images, then the first 1,548 training images) and
c10k.npy (10,000 images: the test then the training images, cycled)."""
import sys
import numpy as np

corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora/cifar10"
test, train = np.load(f"{corpus}/test_images.npy"), np.load(f"{corpus}/train_images.npy")
both = np.concatenate([test, train])
np.save("cifar500.npy", test)
np.save("c2048.npy", both[:2048])
np.save("c10k.npy", both[np.arange(10000) % len(both)])
