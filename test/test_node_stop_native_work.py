"""A node stopped while a worker thread is inside native code ends at once, with 0.

The embedding model (ONNX) cannot be interrupted: left to interpreter finalization, a thread
still running it ended the process with std::terminate (exit -6) or hung it past 30 s. This is
what feedback_node meets when it is stopped while its index is being embedded.
"""

from __future__ import annotations

import sys

from helpers.interrupted import interrupted

NODE = '''
import sys
import threading
from rclpy.node import Node
from squat_common.node_runner import run_node
from squat_feedback.embeddings import MiniLmEmbeddings


class Embedding(Node):
    def __init__(self):
        super().__init__("embedding_node")
        model = MiniLmEmbeddings()
        texts = ["the knees track over the toes through the whole squat " * 20] * 64

        def embed():
            print("embedding", flush=True)
            while True:
                model.embed_documents(texts)

        threading.Thread(target=embed, name="embedder", daemon=True).start()


sys.exit(run_node(Embedding, "embedding_node"))
'''


def test_a_node_stopped_inside_the_embedding_model_ends_at_once_and_cleanly():
    for delay_s in (0.5, 1.3):
        code, err = interrupted([sys.executable, "-c", NODE], delay_s, ready="embedding",
                                timeout_s=20)
        assert code == 0, err[-2000:]
        assert "stopped while busy (embedder)" in err and "terminate" not in err, err[-2000:]
